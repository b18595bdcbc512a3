"""Every email leaves from a task worker (django.tasks), never from the request that caused it."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from conventions.notifications import services
from conventions.notifications.reminders import send_reminders


@task
def send_notification_emails_task(notification_ids, subject):
    """The emails of on-screen notifications (see services.notify); returns how many left."""
    return services.send_notification_emails(notification_ids, subject)


@task
def send_email_task(subject, body, to, html_body=None, from_email=None):
    """One plain email (with an optional HTML part), e.g. the password reset link."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
    return len(to)


@task
def send_reminders_task(date=None):
    """The daily justificatif reminders (see conventions.notifications.reminders)."""
    import datetime

    summary = send_reminders(datetime.date.fromisoformat(date) if date else None)
    return {"checked": summary.checked, "sent": summary.total_sent}
