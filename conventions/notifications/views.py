"""The signed-in user's notifications: the list, opening one (marks it read) and marking all
read. A user only ever reaches their own notifications (another's answers 404)."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from conventions.notifications.models import Notification
from grants.pagination import paginate


class NotificationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="Afficher",
        method="filter_state",
        empty_label="Toutes",
        choices=[("non_lues", "Non lues"), ("lues", "Lues")],
    )
    kind = django_filters.ChoiceFilter(
        label="Type", choices=Notification.Kind.choices, empty_label="Tous les types"
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("created_at", "date"),),
        empty_label="Les plus récentes d'abord",
    )

    class Meta:
        model = Notification
        fields = ["kind"]

    def filter_state(self, queryset, name, value):
        if value == "non_lues":
            return queryset.filter(read_at__isnull=True)
        if value == "lues":
            return queryset.filter(read_at__isnull=False)
        return queryset


@login_required
def notification_list(request):
    own = Notification.objects.filter(recipient=request.user)
    notification_filter = NotificationFilter(request.GET, queryset=own)
    filtered = notification_filter.qs
    page = paginate(request, filtered, count_queryset=filtered)
    ctx = {
        "filter": notification_filter,
        "page": page,
        "unread": own.unread().count(),
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
    }
    return render(request, "conventions/notifications/list.html", ctx)


@login_required
def notification_open(request, pk):
    """Mark one notification read, then go to what it is about (an address of this site)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notification_list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        plural = "s" if count > 1 else ""
        messages.success(
            request, f"{count} notification{plural} marquée{plural} comme lue{plural}."
        )
    return redirect("notification_list")
