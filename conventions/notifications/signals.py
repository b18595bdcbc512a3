"""Payment events for the notifications, connected to grants' Payment model by signals so that
the payments code (grants/services.py) needs no change: a request received tells the authority's
instructors; a payment order (mandat) tells the association's managers.

A payment's status is remembered when the row is loaded (post_init), so post_save sees the
transition. Rows created directly in a later state (demo data, imports) notify nobody.
"""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from conventions.notifications import services as notifications
from grants.finance.models import Payment


@receiver(post_init, sender=Payment)
def remember_status(sender, instance, **kwargs):
    # Never touch a deferred field here: that would cost one query per row loaded.
    instance._status_when_loaded = instance.__dict__.get("status") if instance.pk else None


@receiver(post_save, sender=Payment)
def payment_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_status_when_loaded", None)
    instance._status_when_loaded = instance.status
    if created:
        if instance.status == Payment.Status.REQUESTED:
            notifications.payment_requested(instance)
        return
    if instance.status == Payment.Status.ORDERED and previous == Payment.Status.CERTIFIED:
        notifications.payment_ordered(instance)
