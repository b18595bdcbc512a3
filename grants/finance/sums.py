"""The sums stored on each grant: its committed amount, what was paid of it, and whether a
convention covers it.

The staff home prints, per year, the amounts voted, committed and paid, and counts the grants
above 23 000 € without a convention. Read from the commitments, payments and conventions, those
figures cost a join over every payment of the authority (0.2 s at "large", growing with the
years); stored on the grant they are read from the grants' index alone. They are never typed:
`refresh_grants` recomputes them from the rows they summarise, and the models call it when a
commitment is saved or deleted, when a payment becomes paid (or stops being paid), and when a
convention's grants change (conventions/signals.py). Code that writes those rows in bulk
(bulk_create, QuerySet.update) calls it itself, as the scale generator does.
"""

from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

STORED = ("committed_amount", "paid_amount", "has_convention")


def _computed():
    """The stored fields, as expressions over the rows they summarise."""
    from conventions.models import Convention
    from grants.models import Commitment, Payment

    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
    committed = Commitment.objects.filter(grant_id=OuterRef("pk")).values("amount")[:1]
    paid = (
        Payment.objects.filter(commitment__grant_id=OuterRef("pk"), status=Payment.Status.PAID)
        .order_by()
        .values("commitment__grant_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    covered = Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))
    return {
        "committed_amount": Coalesce(Subquery(committed), zero),
        "paid_amount": Coalesce(Subquery(paid), zero),
        "has_convention": Exists(covered),
    }


def refresh_grants(grants):
    """Recompute the stored sums of `grants` (a queryset of Grant) in one UPDATE."""
    return grants.update(**_computed())


def refresh_grant_ids(grant_ids):
    from grants.models import Grant

    ids = {pk for pk in grant_ids if pk is not None}
    if ids:
        refresh_grants(Grant.objects.filter(pk__in=ids))


def refresh_grants_of_commitments(commitment_ids):
    from grants.models import Grant

    refresh_grants(Grant.objects.filter(commitment__in=list(commitment_ids)))


def stale_grants(grants):
    """The grants of `grants` whose stored sums differ from what their rows say (for the tests
    and `manage.py refresh_grant_sums --check`)."""
    annotated = grants.annotate(**{f"computed_{name}": e for name, e in _computed().items()})
    differs = Q()
    for name in STORED:
        differs |= ~Q(**{name: F(f"computed_{name}")})
    return annotated.filter(differs)
