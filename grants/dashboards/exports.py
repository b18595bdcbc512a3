"""Each dashboard table as an Excel workbook, from the same plain data as the page.

The workbook is the finance exports' (grants.finance.exports.write_workbook): openpyxl write-only,
real number cells in euros, frozen header, autofilter, a SUBTOTAL totals row, and user text
written as text even when it starts like a formula.
"""

from dataclasses import dataclass

from conventions.models import Justificatif
from grants.dashboards.selectors import MEASURES
from grants.finance.exports import CHUNK_SIZE, Column


@dataclass(frozen=True)
class Table:
    title: str
    columns: list
    rows: list
    notes: tuple = ()


def _amount_columns(total=True):
    return [Column(label, "money", 16, total=total) for _, label in MEASURES]


def _amounts(amounts):
    return tuple(amounts.get(measure) for measure, _ in MEASURES)


def totals_table(totals, years):
    return Table(
        "Totaux par exercice",
        [Column("Exercice", "int", 10), *_amount_columns()],
        [(year, *_amounts(totals[year])) for year in years],
    )


def breakdown_table(breakdown):
    dimension = breakdown.dimension
    rows = [
        (row.label, year, *_amounts(row.amounts(year)))
        for row in breakdown.rows
        for year in breakdown.years
    ]
    # Domains: a grant counts in each of its association's domains, the column sums would
    # count it more than once: no totals row then.
    with_totals = dimension.slug != "domaine"
    return Table(
        f"{dimension.title.removeprefix('Par ').capitalize()}",
        [
            Column(dimension.column, "text", 36),
            Column("Exercice", "int", 10),
            *_amount_columns(with_totals),
        ],
        rows,
        (("Note", dimension.note),) if dimension.note else (),
    )


def months_table(table):
    rows = [
        (year, row.month, row.label, row.amount(year), row.count(year))
        for year in table.years
        for row in table.rows
    ]
    return Table(
        "Versements par mois",
        [
            Column("Année du paiement", "int", 12),
            Column("Mois", "int", 8),
            Column("Mois (libellé)", "text", 14),
            Column("Payé", "money", 18, total=True),
            Column("Versements", "int", 12, total=True),
        ],
        rows,
    )


def budget_table(consumption):
    rows = [
        (
            line.year,
            line.imputation,
            line.label,
            line.voted_credits,
            line.committed,
            line.ordered,
            line.paid,
            line.available,
            (line.committed / line.voted_credits) if line.voted_credits else None,
        )
        for line in consumption.lines
    ]
    return Table(
        f"Lignes budgétaires {consumption.year}",
        [
            Column("Exercice", "int", 10),
            Column("Imputation", "text", 20),
            Column("Libellé", "text", 44),
            Column("Crédits votés", "money", 18, total=True),
            Column("Engagé", "money", 18, total=True),
            Column("Mandaté", "money", 18, total=True),
            Column("Payé", "money", 18, total=True),
            Column("Disponible", "money", 18, total=True),
            Column("Taux d'engagement", "percent", 12),
        ],
        rows,
    )


def late_table(queryset, today):
    """Every late justificatif (not only the page's oldest), read in chunks."""
    kinds = dict(Justificatif.Kind.choices)
    statuses = dict(Justificatif.Status.choices)
    fields = (
        "convention__association__name",
        "convention__number",
        "convention__year",
        "kind",
        "status",
        "due_date",
    )
    rows = (
        (name, number or None, year, kinds.get(kind, kind), statuses.get(status, status), due,
         (today - due).days)
        for name, number, year, kind, status, due in queryset.order_by("due_date", "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK_SIZE)
    )  # fmt: skip
    return Table(
        "Justificatifs en retard",
        [
            Column("Association", "text", 40),
            Column("Convention", "text", 16),
            Column("Exercice", "int", 10),
            Column("Pièce", "text", 40),
            Column("Statut", "text", 12),
            Column("À remettre avant le", "date", 14),
            Column("Jours de retard", "int", 12),
        ],
        rows,
        (("Justificatifs en retard au", today.strftime("%d/%m/%Y")),),
    )


def beneficiaries_table(beneficiaries, years):
    last = years[-1]
    rows = [(b.name, *(b.voted(y) for y in years), b.committed, b.paid) for b in beneficiaries]
    return Table(
        f"Principaux bénéficiaires {last}",
        [
            Column("Association", "text", 40),
            *(Column(f"Voté {y}", "money", 16, total=True) for y in years),
            Column(f"Engagé {last}", "money", 16, total=True),
            Column(f"Payé {last}", "money", 16, total=True),
        ],
        rows,
    )
