"""The sums stored on each grant (its committed amount, what was paid of it, and whether a
convention covers it) and on each budget line (what is committed, ordered and paid on it).

The staff home prints, per year, the amounts voted, committed and paid, and counts the grants
above 23 000 € without a convention. Read from the commitments, payments and conventions, those
figures cost a join over every payment of the authority (0.2 s at "large", growing with the
years); stored on the grant they are read from the grants' index alone. They are never typed:
`refresh_grants` recomputes them from the rows they summarise, and the models call it when a
commitment is saved or deleted, when a payment becomes paid (or stops being paid), and when a
convention's grants change (conventions/signals.py). Code that writes those rows in bulk
(bulk_create, QuerySet.update) calls it itself, as the scale generator does.

The budget lines' list prints, per line and in its totals row, the amounts committed, ordered
(mandaté) and paid: summed over every commitment and payment of the lines, 175 ms at "large";
stored on the line, read from the 200 lines alone. `refresh_budget_lines` recomputes them, and
the models call it beside `refresh_grants`: when a commitment is saved or deleted, and when a
payment becomes ordered or paid (or stops being so). It locks the lines first, so that two
payments ordered at once on two commitments of one line each sum the other's once committed.
"""

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

STORED = ("committed_amount", "paid_amount", "has_convention")
LINE_STORED = ("committed_amount", "ordered_amount", "paid_amount")


def _computed():
    """The stored fields, as expressions over the rows they summarise."""
    from conventions.models import Convention
    from grants.finance.models import sum_subquery
    from grants.models import Commitment, Payment

    paid = Payment.objects.filter(commitment__grant_id=OuterRef("pk"), status=Payment.Status.PAID)
    return {
        # One commitment per grant: its sum is its amount.
        "committed_amount": sum_subquery(Commitment.objects.filter(grant_id=OuterRef("pk"))),
        "paid_amount": sum_subquery(paid),
        "has_convention": Exists(Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))),
    }


def _locked_update(rows, values):
    """UPDATE `rows` with `values` after locking them in the order of their ids (a concurrent
    refresh waits, then its UPDATE sees what this one's transaction committed)."""
    with transaction.atomic():
        if not list(rows.order_by("pk").select_for_update().values_list("pk", flat=True)):
            return 0
        return rows.model.objects.filter(pk__in=rows.order_by().values("pk")).update(**values)


def without_stored(instance, stored, kwargs):
    """The keyword arguments of Model.save() that, on an update, write every field but the
    `stored` sums: an instance loaded before a commitment or a payment would otherwise write
    its stale sums back."""
    if not instance._state.adding and kwargs.get("update_fields") is None:
        kwargs["update_fields"] = [
            field.name
            for field in instance._meta.concrete_fields
            if not field.primary_key and field.name not in stored
        ]
    return kwargs


def refresh_grants(grants):
    """Recompute the stored sums of `grants` (a queryset of Grant) in one UPDATE, the grants
    locked first (in the order of their ids), as the lines are below: the sums then see every
    commitment and payment committed before, those of a concurrent request included."""
    return _locked_update(grants, _computed())


def refresh_grant_ids(grant_ids):
    from grants.models import Grant

    ids = {pk for pk in grant_ids if pk is not None}
    if ids:
        refresh_grants(Grant.objects.filter(pk__in=ids))


def refresh_grants_of_commitments(commitment_ids):
    from grants.models import Grant

    ids = {pk for pk in commitment_ids if pk is not None}
    if ids:
        refresh_grants(Grant.objects.filter(commitment__in=ids))


def _stale(rows, computed):
    """The rows whose stored fields differ from `computed` (their expressions)."""
    annotated = rows.annotate(**{f"computed_{name}": e for name, e in computed.items()})
    differs = Q()
    for name in computed:
        differs |= ~Q(**{name: F(f"computed_{name}")})
    return annotated.filter(differs)


def stale_grants(grants):
    """The grants of `grants` whose stored sums differ from what their rows say (for the tests
    and `manage.py refresh_grant_sums --check`)."""
    return _stale(grants, _computed())


# ---- budget lines ----------------------------------------------------------------------------


def _line_computed():
    """The budget lines' stored sums, as expressions over the rows they summarise."""
    from grants.finance.models import sum_subquery
    from grants.models import Commitment, Payment

    payments = Payment.objects.filter(commitment__budget_line_id=OuterRef("pk"))
    return {
        "committed_amount": sum_subquery(Commitment.objects.filter(budget_line_id=OuterRef("pk"))),
        "ordered_amount": sum_subquery(payments.filter(status__in=Payment.ORDERED_STATUSES)),
        "paid_amount": sum_subquery(payments.filter(status=Payment.Status.PAID)),
    }


def refresh_budget_lines(lines):
    """Recompute the stored sums of `lines` (a queryset of BudgetLine) in one UPDATE, the lines
    locked first (in the order of their ids): the UPDATE's sums then see every commitment and
    payment committed before, those of a concurrent request included."""
    return _locked_update(lines, _line_computed())


def refresh_budget_line_ids(line_ids):
    from grants.models import BudgetLine

    ids = {pk for pk in line_ids if pk is not None}
    if ids:
        refresh_budget_lines(BudgetLine.objects.filter(pk__in=ids))


def refresh_budget_lines_of_commitments(commitment_ids):
    from grants.models import Commitment

    ids = {pk for pk in commitment_ids if pk is not None}
    if ids:
        lines = Commitment.objects.filter(pk__in=ids).values_list("budget_line_id", flat=True)
        refresh_budget_line_ids(list(lines))


def stale_budget_lines(lines):
    """The lines of `lines` whose stored sums differ from what their rows say (for the tests
    and `manage.py refresh_grant_sums --check`)."""
    return _stale(lines, _line_computed())
