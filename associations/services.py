from django.db import transaction

from associations.models import GovernanceChange


@transaction.atomic
def governance_change_record(*, association, user, **fields):
    """Record a dated governance change; a new representative becomes the current one."""
    change = GovernanceChange(association=association, recorded_by=user, **fields)
    change.full_clean()
    change.save()
    if change.kind == GovernanceChange.Kind.REPRESENTATIVE:
        latest = (
            association.governance_changes.filter(kind=GovernanceChange.Kind.REPRESENTATIVE)
            .order_by("-effective_date", "-recorded_at")
            .first()
        )
        if latest.pk == change.pk:
            association.representative_civility = change.new_representative_civility
            association.representative_name = change.new_representative_name
            association.representative_title = change.new_representative_title
            association.save(
                update_fields=[
                    "representative_civility",
                    "representative_name",
                    "representative_title",
                    "updated_at",
                ]
            )
    return change
