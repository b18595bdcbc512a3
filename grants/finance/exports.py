"""Excel exports for finance officers (openpyxl, write-only mode).

Each export is a list of columns and a generator of plain rows prepared from a queryset with
`values_list(...).iterator(chunk_size=2000)`: nothing is held in memory but the current chunk, so
100 000 rows export in constant memory. The workbook is written to an anonymous temporary file
that the response then streams in blocks (FileResponse), and which disappears when closed.

Cells are real numbers and dates (euro and dd/mm/yyyy formats), the header is frozen with an
autofilter on it, and a totals row uses SUBTOTAL(9, …) so that it follows the filter chosen in
Excel or LibreOffice.
"""

import datetime
import tempfile
from dataclasses import dataclass

from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from grants.finance import filters
from grants.finance.models import BudgetLine, Payment, RealisedSource
from grants.models import GrantNature
from grants.xlsx import safe_cell_value, safe_row

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0 %"
CHUNK_SIZE = 2000
HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, int, money, date, percent
    width: float = 14
    total: bool = False


# ---- the workbook ----------------------------------------------------------------------------


def _styled_cell(sheet, kind, bold=False):
    cell = WriteOnlyCell(sheet)
    if kind == "money":
        cell.number_format = EURO_FORMAT
    elif kind == "date":
        cell.number_format = DATE_FORMAT
    elif kind == "percent":
        cell.number_format = PERCENT_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


# A text starting with one of these is a formula (or becomes one on edit) in Excel or LibreOffice.


class _RowWriter:
    """Turns plain values into cells, sharing one style object per column (fast in write-only)."""

    def __init__(self, sheet, columns):
        self.sheet = sheet
        self.styles = [
            _styled_cell(sheet, c.kind)._style if c.kind in {"money", "date", "percent"} else None
            for c in columns
        ]

    def cells(self, values):
        row = []
        for value, style in zip(values, self.styles, strict=True):
            if style is None or value is None:
                row.append(safe_cell_value(self.sheet, value))
                continue
            cell = WriteOnlyCell(self.sheet, value=value)
            cell._style = style
            row.append(cell)
        return row


PROGRESS_EVERY = 2000


def write_workbook(target, *, title, columns, rows, info=(), progress=None):
    """Write one sheet (`columns` × `rows`) and an information sheet into `target`.

    `rows` is any iterable of tuples (a generator for big exports); `progress(count)` is called
    every PROGRESS_EVERY rows. Returns the row count.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    # Widths and the frozen header must be set before the first row is written.
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"

    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)  # constant headers, never user text
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)

    writer = _RowWriter(sheet, columns)
    count = 0
    for values in rows:
        sheet.append(writer.cells(values))
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)

    last_column = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    sheet.append(_totals_row(sheet, columns, count))

    about = workbook.create_sheet(title="Informations")
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 80
    for label, value in [("Export", title), ("Lignes", count), *info]:
        about.append(safe_row(about, [label, value]))
    workbook.save(target)
    return count


def _totals_row(sheet, columns, count):
    row = []
    for index, column in enumerate(columns, 1):
        if index == 1:
            cell = _styled_cell(sheet, "text", bold=True)
            cell.value = "Total"
        elif column.total:
            cell = _styled_cell(sheet, column.kind, bold=True)
            letter = get_column_letter(index)
            cell.value = f"=SUBTOTAL(9,{letter}2:{letter}{count + 1})" if count else 0
        else:
            cell = None
        row.append(cell)
    return row


def xlsx_response(spec, filterset, user):
    """Build the workbook in a temporary file and stream it in blocks (constant memory)."""
    # Closed (and so deleted) by the response once streamed.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        spec.write(handle, filterset, user)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=spec.file_name(filterset),
        content_type=XLSX_CONTENT_TYPE,
    )


def filters_info(filterset, user):
    """What the export was filtered on, for the information sheet."""
    info = [
        ("Exporté le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ("Par", str(user)),
    ]
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    for name, value in data.items():
        if value in (None, "", [], ()) or name == "ordering":
            continue
        field = filterset.form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        if isinstance(value, bool):
            value = "oui" if value else "non"
        elif isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        info.append((f"Filtre : {label}", str(value)))
    return info


def _local_date(value):
    return timezone.localtime(value).date() if value is not None else None


# ---- budget lines ----------------------------------------------------------------------------

BUDGET_LINE_COLUMNS = [
    Column("Exercice", "int", 10),
    Column("Budget", "text", 16),
    Column("Section", "text", 16),
    Column("Chapitre", "text", 10),
    Column("Nature", "text", 10),
    Column("Codes service", "text", 16),
    Column("Imputation", "text", 20),
    Column("Libellé", "text", 44),
    Column("Crédits votés", "money", 18, total=True),
    Column("Engagé", "money", 18, total=True),
    Column("Mandaté", "money", 18, total=True),
    Column("Payé", "money", 18, total=True),
    Column("Disponible", "money", 18, total=True),
    Column("Taux d'engagement", "percent", 12),
]


def budget_line_rows(queryset):
    """Rows of lines annotated by BudgetLine.objects.with_consumption()."""
    budgets = dict(BudgetLine.Budget.choices)
    sections = dict(BudgetLine.Section.choices)
    fields = (
        "year",
        "budget",
        "section",
        "chapter",
        "nature",
        "service_codes",
        "label",
        "voted_credits",
        "committed",
        "ordered",
        "paid",
        "available",
    )
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        year, budget, section, chapter, nature, codes, label, voted, committed, ordered = row[:10]
        paid, available = row[10:]
        rate = (committed / voted) if voted else None
        yield (
            year,
            budgets.get(budget, budget),
            sections.get(section, section),
            chapter,
            nature,
            codes,
            f"{codes}/{nature}",
            label,
            voted,
            committed,
            ordered,
            paid,
            available,
            rate,
        )


# ---- grants ----------------------------------------------------------------------------------

GRANT_COLUMNS = [
    Column("Exercice", "int", 10),
    Column("Association", "text", 40),
    Column("SIREN", "text", 12),
    Column("Objet", "text", 50),
    Column("Nature", "text", 18),
    Column("Délibération", "text", 16),
    Column("Montant voté", "money", 18, total=True),
    Column("Imputation citée", "text", 20),
    Column("Ligne d'engagement", "text", 20),
    Column("N° d'engagement", "text", 18),
    Column("Date d'engagement", "date", 14),
    Column("Montant engagé", "money", 18, total=True),
]


def grant_rows(queryset):
    natures = dict(GrantNature.choices)
    fields = (
        "year",
        "association__name",
        "association__siren",
        "object",
        "nature",
        "deliberation__number",
        "amount",
        "budget_imputation",
        "commitment__budget_line__service_codes",
        "commitment__budget_line__nature",
        "commitment__number",
        "commitment__date",
        "commitment__amount",
    )
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        year, name, siren, obj, nature, deliberation, amount, imputation, codes, line_nature = row[
            :10
        ]
        number, date, committed = row[10:]
        yield (
            year,
            name,
            siren,
            obj,
            natures.get(nature, nature),
            deliberation,
            amount,
            imputation,
            f"{codes}/{line_nature}" if codes else None,
            number,
            date,
            committed,
        )


# ---- payments --------------------------------------------------------------------------------

PAYMENT_COLUMNS = [
    Column("Association", "text", 40),
    Column("Convention", "text", 16),
    Column("Exercice", "int", 10),
    Column("Nature", "text", 10),
    Column("État", "text", 30),
    Column("Montant", "money", 16, total=True),
    Column("Demandé le", "date", 13),
    Column("Signataire", "text", 22),
    Column("Service fait le", "date", 13),
    Column("Service fait par", "text", 22),
    Column("N° de mandat", "text", 16),
    Column("Date du mandat", "date", 13),
    Column("N° d'engagement", "text", 16),
    Column("Imputation", "text", 20),
    Column("Payé le", "date", 13),
    Column("Motif du rejet", "text", 30),
]


def payment_rows(queryset):
    kinds = dict(Payment.Kind.choices)
    statuses = dict(Payment.Status.choices)
    fields = (
        "_association",
        "convention__number",
        "_year",
        "kind",
        "status",
        "amount",
        "requested_at",
        "signer_name",
        "certified_at",
        "certified_by__first_name",
        "certified_by__last_name",
        "order_number",
        "order_date",
        "commitment__number",
        "commitment__budget_line__service_codes",
        "commitment__budget_line__nature",
        "paid_date",
        "rejection_reason",
    )
    # A versement unique reaches its association and year through its grant (no convention).
    queryset = queryset.annotate(
        _association=Coalesce("convention__association__name", "grant__association__name"),
        _year=Coalesce("convention__year", "grant__year"),
    )
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        name, number, year, kind, status, amount, requested_at, signer, certified_at = row[:9]
        first, last, order_number, order_date, commitment, codes, nature, paid, reason = row[9:]
        yield (
            name,
            number,
            year,
            kinds.get(kind, kind),
            statuses.get(status, status),
            amount,
            _local_date(requested_at),
            signer,
            _local_date(certified_at),
            f"{first} {last}".strip() or None,
            order_number or None,
            order_date,
            commitment,
            f"{codes}/{nature}" if codes else None,
            paid,
            reason or None,
        )


# ---- clawbacks -------------------------------------------------------------------------------

CLAWBACK_COLUMNS = [
    Column("Association", "text", 40),
    Column("Convention", "text", 16),
    Column("Exercice", "int", 10),
    Column("N° du titre de recettes", "text", 18),
    Column("Date du titre", "date", 13),
    Column("Montant reversé", "money", 16, total=True),
    Column("Montant dû", "money", 16),
    Column("Versé net avant le titre", "money", 18),
    Column("Dépenses prévisionnelles", "money", 18),
    Column("Dépenses réalisées", "money", 18),
    Column("Source des dépenses réalisées", "text", 28),
    Column("Motif", "text", 50),
]


def clawback_rows(queryset):
    sources = dict(RealisedSource.choices)
    fields = (
        "convention__association__name",
        "convention__number",
        "convention__year",
        "title_number",
        "title_date",
        "amount",
        "amount_due",
        "paid_before",
        "forecast_expenses",
        "realised_expenses",
        "realised_source",
        "reason",
    )
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        *head, source, reason = row
        yield (*head, sources.get(source) or None, reason)


def ordered_for_export(queryset, default):
    """Keep the list's ordering; fall back to a stable one."""
    return queryset if queryset.query.order_by else queryset.order_by(*default)


# ---- the registry: one entry per list that can be exported -----------------------------------


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    filterset: object  # (user, data) -> FilterSet of the list on screen
    columns: list
    rows: object  # queryset -> iterable of tuples
    default_order: tuple
    title: str
    filename: str

    def sheet_title(self, filterset):
        if self.kind == "subventions":
            year = _cleaned(filterset).get("year")
            return f"{self.title} {year}" if year else self.title
        return self.title

    def file_name(self, filterset):
        if self.kind == "subventions":
            year = _cleaned(filterset).get("year")
            if year:
                return f"{self.filename}-{year}.xlsx"
        return f"{self.filename}-{timezone.localdate():%Y-%m-%d}.xlsx"

    def queryset(self, filterset):
        return ordered_for_export(filterset.qs, list(self.default_order))

    def write(self, target, filterset, user, progress=None):
        return write_workbook(
            target,
            title=self.sheet_title(filterset),
            columns=self.columns,
            rows=self.rows(self.queryset(filterset)),
            info=filters_info(filterset, user),
            progress=progress,
        )


def _cleaned(filterset):
    return filterset.form.cleaned_data if filterset.form.is_valid() else {}


def _specs():

    return {
        spec.kind: spec
        for spec in [
            ExportSpec(
                "versements",
                filters.payment_filterset,
                PAYMENT_COLUMNS,
                payment_rows,
                ("-requested_at", "pk"),
                "Versements",
                "versements",
            ),
            ExportSpec(
                "lignes",
                filters.budget_line_filterset,
                BUDGET_LINE_COLUMNS,
                budget_line_rows,
                ("-year", "service_codes", "nature", "pk"),
                "Lignes budgétaires",
                "lignes-budgetaires",
            ),
            ExportSpec(
                "subventions",
                filters.grant_filterset,
                GRANT_COLUMNS,
                grant_rows,
                ("-year", "association__name", "pk"),
                "Subventions",
                "subventions",
            ),
            ExportSpec(
                "reversements",
                filters.clawback_filterset,
                CLAWBACK_COLUMNS,
                clawback_rows,
                ("-title_date", "pk"),
                "Reversements",
                "reversements",
            ),
        ]
    }


def spec_for(kind):
    return _specs()[kind]
