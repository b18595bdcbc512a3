"""Keep each convention's stored amount in step when its grants change elsewhere."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from conventions.models import Convention
from conventions.services import refresh_amount
from grants.models import Grant


@receiver(post_save, sender=Grant)
def grant_saved(sender, instance, **kwargs):

    for convention in Convention.objects.filter(grants=instance):
        refresh_amount(convention)


@receiver(m2m_changed, sender=Convention.grants.through)
def convention_grants_changed(sender, instance, action, reverse, pk_set, **kwargs):

    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:
        for convention in Convention.objects.filter(pk__in=pk_set or []):
            refresh_amount(convention)
    else:
        refresh_amount(instance)
