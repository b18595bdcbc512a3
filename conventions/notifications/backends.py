"""The authentication backend: Django's ModelBackend, whose signed-in user row also carries the
number of unread notifications and, for staff, of their authority's pending access requests
(correlated subqueries in the same SELECT), so the header's counts cost no query of their own."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from conventions.notifications.models import Notification


def unread_count_subquery():

    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def pending_access_requests_subquery():
    """The pending access requests of the user's authority (the staff menu's badge)."""
    from grants.models import AssociationAccessRequest

    pending = (
        AssociationAccessRequest.objects.filter(
            authority_id=OuterRef("authority_id"),
            status=AssociationAccessRequest.Status.PENDING,
        )
        .order_by()
        .values("authority_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(pending, output_field=IntegerField()), Value(0))


class NotificationCountBackend(ModelBackend):
    def get_user(self, user_id):
        # The header prints the user's authority on every page: read with the user row.
        users = (
            get_user_model()
            ._default_manager.select_related("authority")
            .annotate(
                unread_notification_count=unread_count_subquery(),
                pending_access_request_count=pending_access_requests_subquery(),
            )
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
