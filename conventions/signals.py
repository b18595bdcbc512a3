"""Keep each convention's stored amount, and each grant's "covered by a convention" flag, in
step when grants and conventions change elsewhere."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from conventions.models import Convention
from conventions.services import refresh_amount
from grants.finance.sums import refresh_grant_ids
from grants.models import Grant


@receiver(post_save, sender=Grant)
def grant_saved(sender, instance, **kwargs):

    for convention in Convention.objects.filter(grants=instance):
        refresh_amount(convention)


@receiver(m2m_changed, sender=Convention.grants.through)
def convention_grants_changed(sender, instance, action, reverse, pk_set, **kwargs):

    if action == "pre_clear":
        # The grants about to leave: after the clear, the link rows are gone.
        instance._cleared_grant_ids = (
            [instance.pk] if reverse else list(instance.grants.values_list("pk", flat=True))
        )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:
        for convention in Convention.objects.filter(pk__in=pk_set or []):
            refresh_amount(convention)
        refresh_grant_ids([instance.pk])
    else:
        refresh_amount(instance)
        if action == "post_clear":
            refresh_grant_ids(getattr(instance, "_cleared_grant_ids", []))
        else:
            refresh_grant_ids(pk_set or [])


@receiver(pre_delete, sender=Convention)
def convention_deleting(sender, instance, **kwargs):
    instance._deleted_grant_ids = list(instance.grants.values_list("pk", flat=True))


@receiver(post_delete, sender=Convention)
def convention_deleted(sender, instance, **kwargs):
    refresh_grant_ids(getattr(instance, "_deleted_grant_ids", []))
