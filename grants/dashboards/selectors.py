"""The dashboards' figures: a year and the years before it, aggregated in SQL.

Every function returns plain data (dataclasses of Decimals) and issues a fixed number of queries
whatever the number of grants, payments or justificatifs: one GROUP BY per figure, never a loop
over rows. Every queryset starts from `visible_to(user)` and is then narrowed to one authority.

The four amounts of a grant:
- proposé: its deliberation is not adopted yet (no deliberation, or a draft one);
- voté: its deliberation is adopted (adopted, transmitted, published or executory);
- engagé: the amount of its commitment (grants.Commitment) on a budget line;
- payé: the paid payments (status « payé ») ordered on that commitment.
A grant whose deliberation was rejected is neither proposed nor voted.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from associations.budgets.chart import Side
from associations.models import Association, AssociationBudgetLine
from conventions.justificatifs.due import OWING_STATUSES
from conventions.justificatifs.models import Justificatif, overdue_condition
from conventions.models import Convention
from deliberations.models import Deliberation
from grants.models import BudgetLine, Commitment, Grant, GrantNature, Payment
from grants.rules import AUDITOR_THRESHOLD, justificatifs_due_date

ZERO = Decimal("0.00")
SPANS = (3, 4, 5)
DEFAULT_SPAN = 3
TOP_BENEFICIARIES = 10
LATE_LIST_LIMIT = 20

VOTED_STATUSES = (
    Deliberation.Status.ADOPTED,
    Deliberation.Status.TRANSMITTED,
    Deliberation.Status.PUBLISHED,
    Deliberation.Status.EXECUTORY,
)
PROPOSED = Q(deliberation__isnull=True) | Q(deliberation__status=Deliberation.Status.DRAFT)
VOTED = Q(deliberation__status__in=VOTED_STATUSES)

MEASURES = (
    ("proposed", "Proposé"),
    ("voted", "Voté"),
    ("committed", "Engagé"),
    ("paid", "Payé"),
)
MEASURE_LABELS = dict(MEASURES)
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def compared_years(year, span=DEFAULT_SPAN):
    """The year and the `span - 1` years before it, oldest first."""
    return list(range(year - span + 1, year + 1))


@dataclass
class Amounts:
    proposed: Decimal = ZERO
    voted: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def get(self, measure):
        return getattr(self, measure)

    def add(self, other):
        for measure, _ in MEASURES:
            setattr(self, measure, self.get(measure) + other.get(measure))


@dataclass
class GroupRow:
    label: str
    is_empty_group: bool
    by_year: dict = field(default_factory=dict)  # year -> Amounts

    def amounts(self, year):
        return self.by_year.get(year) or Amounts()


@dataclass(frozen=True)
class Dimension:
    slug: str
    title: str
    path: str  # lookup from Grant to the group's label
    empty_label: str
    column: str
    note: str = ""
    # Each grant falls in exactly one group (a column of Grant, or a foreign key of its
    # association): the year's totals are then the sums of the groups.
    partitions: bool = True


DIMENSIONS = {
    d.slug: d
    for d in (
        Dimension(
            "dispositif",
            "Par dispositif d'aide",
            "aid_scheme_label",
            "Sans dispositif",
            "Dispositif d'aide",
        ),
        Dimension(
            "domaine",
            "Par domaine thématique",
            "association__domains__name",
            "Sans domaine",
            "Domaine thématique",
            note=(
                "Une subvention d'une association rattachée à plusieurs domaines compte, "
                "entière, dans chacun d'eux : la somme des lignes peut dépasser le total, "
                "qui compte chaque subvention une fois."
            ),
            partitions=False,
        ),
        Dimension(
            "type",
            "Par type de structure",
            "association__structure_type__name",
            "Sans type de structure",
            "Type de structure",
        ),
    )
}


@dataclass
class Breakdown:
    dimension: Dimension
    years: list
    rows: list
    totals: dict  # year -> Amounts, each grant counted once

    def total(self, year):
        return self.totals.get(year) or Amounts()

    @property
    def table(self):
        """[(row, [(year, Amounts), …])] in the years' order, for the templates."""
        return [(row, [(y, row.amounts(y)) for y in self.years]) for row in self.rows]


def _grants(user, authority):
    return Grant.objects.visible_to(user).filter(authority=authority)


def _paid_payments(user, authority):
    # A paid payment always has its commitment (constraint payment_order_recorded), and a
    # commitment belongs to one grant: the grant's year and groups are the payment's.
    return Payment.objects.visible_to(user).filter(
        status=Payment.Status.PAID, commitment__grant__authority=authority
    )


def _grant_sums(grants, keys):
    return (
        grants.order_by()
        .values(*keys)
        .annotate(
            proposed=Sum("amount", filter=PROPOSED, default=ZERO),
            voted=Sum("amount", filter=VOTED, default=ZERO),
            committed=Sum("commitment__amount", default=ZERO),
        )
    )


def _paid_sums(payments, keys):
    return payments.order_by().values(*keys).annotate(paid=Sum("amount", default=ZERO))


def totals_by_year(user, authority, years):
    """Proposé, voté, engagé, payé of each year, each grant once (2 queries)."""
    totals = {year: Amounts() for year in years}
    for row in _grant_sums(_grants(user, authority).filter(year__in=years), ["year"]):
        amounts = totals[row["year"]]
        amounts.proposed, amounts.voted = row["proposed"], row["voted"]
        amounts.committed = row["committed"]
    payments = _paid_payments(user, authority).filter(commitment__grant__year__in=years)
    for row in _paid_sums(payments, ["commitment__grant__year"]):
        totals[row["commitment__grant__year"]].paid = row["paid"]
    return totals


def breakdown(user, authority, years, dimension, totals=None):
    """The four amounts per group of `dimension` and year (2 queries; 2 more for the totals
    when a grant may fall in several groups and `totals`, from totals_by_year(), is not given).
    Groups sort by the last year's voted amount; the empty group comes last."""
    rows = {}

    def row_for(label):
        key = label or ""
        if key not in rows:
            rows[key] = GroupRow(key or dimension.empty_label, not key)
        return rows[key]

    grants = _grants(user, authority).filter(year__in=years)
    for row in _grant_sums(grants, [dimension.path, "year"]):
        row_for(row[dimension.path]).by_year[row["year"]] = Amounts(
            row["proposed"], row["voted"], row["committed"]
        )
    path = f"commitment__grant__{dimension.path}"
    payments = _paid_payments(user, authority).filter(commitment__grant__year__in=years)
    for row in _paid_sums(payments, [path, "commitment__grant__year"]):
        group = row_for(row[path])
        year = row["commitment__grant__year"]
        group.by_year.setdefault(year, Amounts()).paid = row["paid"]
    if totals is not None:
        pass
    elif dimension.partitions:
        totals = {year: Amounts() for year in years}
        for row in rows.values():
            for year, amounts in row.by_year.items():
                totals[year].add(amounts)
    else:
        totals = totals_by_year(user, authority, years)
    last = years[-1]
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.is_empty_group, -r.amounts(last).voted, r.label.casefold()),
    )
    return Breakdown(dimension, years, ordered, totals)


# ---- payments per month ----------------------------------------------------------------------


@dataclass
class MonthRow:
    month: int
    label: str
    by_year: dict = field(default_factory=dict)  # year -> (amount, count)

    def amount(self, year):
        return self.by_year.get(year, (ZERO, 0))[0]

    def count(self, year):
        return self.by_year.get(year, (ZERO, 0))[1]


@dataclass
class MonthTable:
    years: list
    rows: list
    totals: dict  # year -> (amount, count)

    @property
    def table(self):
        """[(row, [(amount, count) per year])], for the templates."""
        return [(row, [row.by_year.get(y, (ZERO, 0)) for y in self.years]) for row in self.rows]

    @property
    def total_cells(self):
        return [self.totals[y] for y in self.years]

    @property
    def has_payments(self):
        return any(count for _, count in self.totals.values())


def payments_by_month(user, authority, years):
    """Paid payments of the authority's conventions per month of their payment date (1 query).

    A payment stores its convention's authority: the filter reads the payment alone (an
    index-only scan of payment_authority_paid_dates), no join to the conventions."""
    rows = [MonthRow(month, MONTHS[month - 1]) for month in range(1, 13)]
    payments = (
        Payment.objects.visible_to(user)
        .filter(
            authority=authority,
            convention__isnull=False,
            status=Payment.Status.PAID,
            paid_date__gte=datetime.date(years[0], 1, 1),
            paid_date__lte=datetime.date(years[-1], 12, 31),
        )
        .annotate(paid_year=ExtractYear("paid_date"), paid_month=ExtractMonth("paid_date"))
        .order_by()
        .values("paid_year", "paid_month")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    totals = {year: (ZERO, 0) for year in years}
    for row in payments:
        year, month = row["paid_year"], row["paid_month"]
        rows[month - 1].by_year[year] = (row["total"], row["count"])
        amount, count = totals[year]
        totals[year] = (amount + row["total"], count + row["count"])
    return MonthTable(years, rows, totals)


# ---- budget lines ----------------------------------------------------------------------------


@dataclass
class LineTotals:
    voted: Decimal = ZERO
    committed: Decimal = ZERO
    ordered: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def available(self):
        return self.voted - self.committed


@dataclass
class BudgetConsumption:
    year: int
    years: list
    lines: list  # BudgetLine annotated by with_consumption()
    totals: dict  # year -> LineTotals


def budget_consumption(user, authority, years):
    """The lines of the last year with their consumption (1 query, the correlated subqueries of
    BudgetLine.with_consumption), and each year's totals (3 queries)."""
    year = years[-1]
    visible = BudgetLine.objects.visible_to(user).filter(authority=authority)
    lines = list(
        visible.filter(year=year).with_consumption().order_by("service_codes", "nature", "pk")
    )
    totals = {y: LineTotals() for y in years}
    for row in (
        visible.filter(year__in=years)
        .order_by()
        .values("year")
        .annotate(voted=Sum("voted_credits", default=ZERO))
    ):
        totals[row["year"]].voted = row["voted"]
    for row in (
        Commitment.objects.filter(budget_line__in=visible, budget_line__year__in=years)
        .order_by()
        .values("budget_line__year")
        .annotate(total=Sum("amount", default=ZERO))
    ):
        totals[row["budget_line__year"]].committed = row["total"]
    for row in (
        Payment.objects.filter(
            commitment__budget_line__in=visible, commitment__budget_line__year__in=years
        )
        .order_by()
        .values("commitment__budget_line__year")
        .annotate(
            ordered=Sum("amount", filter=Q(status__in=Payment.ORDERED_STATUSES), default=ZERO),
            paid=Sum("amount", filter=Q(status=Payment.Status.PAID), default=ZERO),
        )
    ):
        line = totals[row["commitment__budget_line__year"]]
        line.ordered, line.paid = row["ordered"], row["paid"]
    return BudgetConsumption(year, years, lines, totals)


# ---- justificatifs late ----------------------------------------------------------------------


@dataclass
class LateJustificatifs:
    years: list
    today: datetime.date
    by_year: dict  # convention year -> count
    by_kind: list  # [(kind label, count, oldest due date)]
    oldest: list  # Justificatif rows, the most overdue first
    total: int
    missing: int = 0  # required pieces never handed in, due date passed (included in total)

    @property
    def oldest_rows(self):
        """[(justificatif, days late)]"""
        return [(j, (self.today - j.due_date).days) for j in self.oldest]


def late_queryset(user, authority, years, today):
    """Current justificatifs of the conventions of `years` past their due date and not accepted
    (conventions.justificatifs.models.overdue_condition, the review queue's notion)."""
    return (
        Justificatif.objects.visible_to(user)
        .current()
        .filter(convention__authority=authority, convention__year__in=years)
        .filter(overdue_condition(today))
    )


def missing_pieces(user, authority, years, today):
    """[(convention year, kind, due date, count)] of the required pieces never handed in (no
    current justificatif of the kind) whose due date has passed, for the conventions owing their
    pieces. The same rules as conventions.justificatifs.due, in SQL (2 queries whatever the
    number of conventions):
    - required kinds (conventions.obligations.convention_obligations): comptes annuels, rapport
      d'activité and PV d'AG always; the auditor's report when the forecast budget's public
      subsidies exceed 153 000 € (grants.rules.auditor_required); the compte rendu financier
      when a grant of the convention is a project grant;
    - due date: six months after the close of the association's financial year
      (grants.rules.justificatifs_due_date), computed in Python for each distinct
      (year, closing month, closing day), a few dozen at most."""

    owing = Convention.objects.visible_to(user).filter(
        authority=authority, year__in=years, status__in=OWING_STATUSES
    )
    closing = ("year", "association__fiscal_year_end_month", "association__fiscal_year_end_day")
    due_dates = {}
    for year, month, day in owing.order_by().values_list(*closing).distinct():
        close = Association(fiscal_year_end_month=month, fiscal_year_end_day=day)
        due = justificatifs_due_date(close.fiscal_year_end(year))
        if due < today:
            due_dates[(year, month, day)] = due
    if not due_dates:
        return []
    past_due = Q()
    for year, month, day in due_dates:
        past_due |= Q(
            year=year,
            association__fiscal_year_end_month=month,
            association__fiscal_year_end_day=day,
        )

    def handed_in(kind):
        return Exists(
            Justificatif.objects.filter(convention=OuterRef("pk"), kind=kind, is_current=True)
        )

    public_subsidies = (
        AssociationBudgetLine.objects.filter(
            budget=OuterRef("forecast_budget"), side=Side.PRODUCT, is_public=True
        )
        .order_by()
        .values("budget")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    project = Grant.objects.filter(conventions=OuterRef("pk"), nature=GrantNature.PROJECT)
    Kind = Justificatif.Kind
    required = {
        Kind.COMPTES_ANNUELS: Q(),
        Kind.RAPPORT_CAC: Q(public_subsidies__gt=AUDITOR_THRESHOLD),
        Kind.RAPPORT_ACTIVITE: Q(),
        Kind.PV_AG: Q(),
        Kind.COMPTE_RENDU_FINANCIER: Q(has_project=True),
    }
    annotations = {f"has_{kind}": handed_in(kind) for kind in required}
    counts = {
        f"missing_{kind}": Count("pk", filter=condition & Q(**{f"has_{kind}": False}))
        for kind, condition in required.items()
    }
    rows = (
        owing.filter(past_due)
        .annotate(
            public_subsidies=Subquery(public_subsidies), has_project=Exists(project), **annotations
        )
        .order_by()
        .values(*closing)
        .annotate(**counts)
    )
    missing = []
    for row in rows:
        due = due_dates[tuple(row[key] for key in closing)]
        for kind in required:
            if row[f"missing_{kind}"]:
                missing.append((row["year"], kind, due, row[f"missing_{kind}"]))
    return missing


def late_justificatifs(user, authority, years, today):
    """The late justificatifs counted per year and kind, and the oldest of them: 2 queries; the
    pieces never handed in (missing_pieces) count as late too: 2 more."""
    late = late_queryset(user, authority, years, today)
    # One GROUP BY (year, kind): a few dozen rows, read both ways.
    by_year = {year: 0 for year in years}
    kinds = {}
    for row in (
        late.order_by()
        .values("convention__year", "kind")
        .annotate(count=Count("pk"), oldest=Min("due_date"))
    ):
        by_year[row["convention__year"]] += row["count"]
        count, oldest = kinds.get(row["kind"], (0, row["oldest"]))
        kinds[row["kind"]] = (count + row["count"], min(oldest, row["oldest"]))
    missing = missing_pieces(user, authority, years, today)
    for year, kind, due_date, number in missing:
        by_year[year] += number
        count, oldest = kinds.get(kind, (0, due_date))
        kinds[kind] = (count + number, min(oldest, due_date))
    labels = dict(Justificatif.Kind.choices)
    by_kind = sorted(
        ((labels.get(kind, kind), count, oldest) for kind, (count, oldest) in kinds.items()),
        key=lambda item: (-item[1], item[0]),
    )
    oldest = list(
        late.select_related("convention__association").order_by("due_date", "pk")[:LATE_LIST_LIMIT]
    )
    return LateJustificatifs(
        years, today, by_year, by_kind, oldest, sum(by_year.values()), sum(m[3] for m in missing)
    )


# ---- the largest beneficiaries ---------------------------------------------------------------


@dataclass
class Beneficiary:
    association_id: int
    name: str
    short_name: str
    voted_by_year: dict = field(default_factory=dict)  # year -> Decimal
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    cells: list = field(default_factory=list)  # voted amounts in the years' order

    def voted(self, year):
        return self.voted_by_year.get(year, ZERO)

    def voted_cells(self, years):
        return [self.voted(y) for y in years]


def largest_beneficiaries(user, authority, years, limit=TOP_BENEFICIARIES):
    """The associations with the largest voted amount of the last year, with their voted
    amounts of the years before, and what is committed and paid of the last year (3 queries)."""
    year = years[-1]
    grants = _grants(user, authority)
    top = (
        grants.filter(VOTED, year=year)
        .order_by()
        .values("association_id", "association__name", "association__acronym")
        .annotate(voted=Sum("amount"), committed=Sum("commitment__amount", default=ZERO))
        .order_by("-voted", "association__name", "association_id")[:limit]
    )
    beneficiaries = {
        row["association_id"]: Beneficiary(
            row["association_id"],
            row["association__name"],
            row["association__acronym"] or row["association__name"],
            {year: row["voted"]},
            row["committed"],
        )
        for row in top
    }
    if not beneficiaries:
        return []
    ids = list(beneficiaries)
    for row in (
        grants.filter(VOTED, association_id__in=ids, year__in=years[:-1])
        .order_by()
        .values("association_id", "year")
        .annotate(voted=Sum("amount"))
    ):
        beneficiaries[row["association_id"]].voted_by_year[row["year"]] = row["voted"]
    payments = _paid_payments(user, authority).filter(
        commitment__grant__year=year,
        commitment__grant__association_id__in=ids,
        commitment__grant__deliberation__status__in=VOTED_STATUSES,
    )
    for row in _paid_sums(payments, ["commitment__grant__association_id"]):
        beneficiaries[row["commitment__grant__association_id"]].paid = row["paid"]
    for beneficiary in beneficiaries.values():
        beneficiary.cells = beneficiary.voted_cells(years)
    return list(beneficiaries.values())


# ---- the year selector -----------------------------------------------------------------------


def year_bounds(user, authority):
    """The first and last years with grants (MIN/MAX on the (authority, year) index)."""
    grants = _grants(user, authority).aggregate(first=Min("year"), last=Max("year"))
    return grants["first"], grants["last"]
