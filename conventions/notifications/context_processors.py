from conventions.notifications.models import Notification


def notifications(request):
    """The unread notification count shown in the header.

    The count comes with the user row (conventions.notifications.backends annotates it), so
    pages do not pay an extra query for it; a user loaded some other way costs one COUNT query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = getattr(user, "unread_notification_count", None)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        user.unread_notification_count = count
    return {"unread_notification_count": count}
