"""The authentication backend: Django's ModelBackend, whose signed-in user row also carries the
number of unread notifications (a correlated subquery in the same SELECT), so the header's count
costs no query of its own."""

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


class NotificationCountBackend(ModelBackend):
    def get_user(self, user_id):
        # The header prints the user's authority on every page: read with the user row.
        users = (
            get_user_model()
            ._default_manager.select_related("authority")
            .annotate(unread_notification_count=unread_count_subquery())
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
