"""Multi-year conventions (conventions pluriannuelles d'objectifs, CPO: DOMAIN §7).

A CPO covers 2 to 4 financial years; the amount of each year is a grant of that year, voted each
year by its own deliberation and linked to the convention; each year has its own payments
(advance, balance) and justificatifs. An annual convention is a CPO of one year, so every path
works with `year = convention.year`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum

from conventions.models import Convention, Justificatif
from grants import rules
from grants.models import Payment

ZERO = Decimal("0.00")
MIN_YEARS, MAX_YEARS = 2, 4


def years_phrase(years):
    """[2024, 2025, 2026] → '2024, 2025 et 2026'."""
    years = [str(year) for year in years]
    if len(years) <= 1:
        return "".join(years)
    return ", ".join(years[:-1]) + " et " + years[-1]


def period_years(kind, year, end_year):
    """The years a convention of this kind covers, or a French error message."""

    if not year:
        return []
    if kind != Convention.Kind.MULTI_YEAR:
        return [year]
    if not end_year:
        raise ValidationError(
            {"end_year": "Indiquez le dernier exercice de la convention pluriannuelle."}
        )
    count = end_year - year + 1
    if not MIN_YEARS <= count <= MAX_YEARS:
        raise ValidationError(
            {
                "end_year": (
                    f"Une convention pluriannuelle couvre de {MIN_YEARS} à {MAX_YEARS} exercices "
                    f"(ici {max(count, 0)} : de {year} à {end_year})."
                )
            }
        )
    return list(range(year, end_year + 1))


def check_grants(years, grants):
    """Each grant is one of a year of the period, and each year has at most one grant: the
    amount of a year is the one its deliberation voted."""
    by_year = {}
    for grant in grants:
        if grant.year not in years:
            raise ValidationError(
                {
                    "grants": (
                        f"La subvention de l'exercice {grant.year} est hors de la période de la "
                        f"convention ({years_phrase(years)})."
                    )
                }
            )
        by_year.setdefault(grant.year, []).append(grant)
    doubled = sorted(year for year, items in by_year.items() if len(items) > 1)
    if doubled:
        raise ValidationError(
            {
                "grants": (
                    "Une seule subvention par exercice : le montant de chaque année est celui "
                    f"voté par sa délibération (plusieurs en {years_phrase(doubled)})."
                )
            }
        )


@dataclass
class YearRow:
    """One year of a convention: what was voted, requested and paid, the justificatifs."""

    year: int
    grant: object
    voted: Decimal
    requested: Decimal = ZERO
    paid: Decimal = ZERO
    has_live_balance: bool = False
    due_date: object = None
    justificatifs_required: int = 0
    justificatifs_accepted: int = 0
    deliberation: object = None
    kinds_accepted: set = field(default_factory=set)

    @property
    def justificatifs_complete(self):
        return self.justificatifs_accepted >= self.justificatifs_required

    @property
    def remaining(self):
        return max(ZERO, self.voted - self.paid)

    @property
    def is_fully_paid(self):
        return self.voted > 0 and (self.has_live_balance or self.requested >= self.voted)


def year_rows(convention):
    """Every year of the convention in a fixed number of queries (grants, amendments, payments,
    justificatifs), whatever the number of years."""

    years = convention.years
    grants = {
        grant.year: grant
        for grant in convention.grants.select_related("deliberation__session").order_by("pk")
    }
    changes = {}
    for year, change in convention.amendments.values_list("year", "amount_change"):
        key = year or convention.year
        changes[key] = changes.get(key, ZERO) + change
    live = Q(status__in=Payment.LIVE_STATUSES)
    sums = {
        row["year"]: row
        for row in Payment.objects.filter(convention=convention)
        .values("year")
        .annotate(
            requested=Sum("amount", filter=live),
            paid=Sum("amount", filter=Q(status=Payment.Status.PAID)),
            balance=Sum("amount", filter=live & Q(kind=Payment.Kind.BALANCE)),
        )
        .order_by()
    }
    required = set(convention.required_justificatif_kinds)
    accepted = {}
    for year, kind in convention.justificatifs.filter(
        is_current=True, status=Justificatif.Status.ACCEPTED
    ).values_list("year", "kind"):
        accepted.setdefault(year, set()).add(kind)
    rows = []
    for year in years:
        grant = grants.get(year)
        voted = rules.to_money((grant.amount if grant else ZERO) + changes.get(year, ZERO))
        paid = sums.get(year, {})
        rows.append(
            YearRow(
                year=year,
                grant=grant,
                voted=voted,
                requested=paid.get("requested") or ZERO,
                paid=paid.get("paid") or ZERO,
                has_live_balance=paid.get("balance") is not None,
                due_date=convention.justificatifs_due_date_for(year),
                justificatifs_required=len(required),
                justificatifs_accepted=len(required & accepted.get(year, set())),
                deliberation=grant.deliberation if grant else None,
                kinds_accepted=accepted.get(year, set()),
            )
        )
    return rows


def default_payment_year(convention, rows=None):
    """The earliest year voted and not fully paid (else the last year)."""
    rows = rows if rows is not None else year_rows(convention)
    for row in rows:
        if row.voted > 0 and not row.is_fully_paid:
            return row.year
    return convention.last_year


def default_justificatif_year(convention, rows=None):
    """The earliest year whose required justificatifs are not all accepted."""
    rows = rows if rows is not None else year_rows(convention)
    for row in rows:
        if not row.justificatifs_complete:
            return row.year
    return convention.last_year


def check_year(convention, year, what="l'exercice"):
    """A year of the convention's period, or a French error."""
    if year is None:
        return convention.year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "Choisissez l'exercice."}) from None
    if year not in convention.years:
        raise ValidationError(
            {
                "year": (
                    f"{what.capitalize()} {year} n'est pas couvert par la convention "
                    f"({years_phrase(convention.years)})."
                )
            }
        )
    return year
