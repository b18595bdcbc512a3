"""XLSX template, export and import of an association budget (openpyxl).

The workbook has one sheet "Budget": a title block, then a header row
(Compte | Libellé | Montant prévisionnel | Montant réalisé) and one row per line, in the Cerfa
order. The import reads the file completely, reports every problem with its row number, and
writes only when there is none: one transaction, nothing saved otherwise.
"""

import datetime
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from associations.budgets import chart
from associations.budgets.models import AssociationBudget
from associations.budgets.services import MAX_AMOUNT, LineData, budget_lines_replace
from grants.fields import parse_amount
from grants.xlsx import set_safe_value

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_UNCOMPRESSED_SIZE = 10 * 1024 * 1024  # a zip bomb (or a 40 Mo sheet) stops here
MAX_ROWS = 1000
HEADER_SCAN_ROWS = 15
MAX_COLUMNS = 26  # the columns read on each row (A to Z)
MAX_SCANNED_ROWS = 5 * MAX_ROWS  # empty rows included: reading stops there, whatever follows
SHEET_TITLE = "Budget"
XLSX_SIGNATURE = b"PK\x03\x04"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00\\ "€"'

HEADERS = ["Compte", "Libellé", "Montant prévisionnel", "Montant réalisé"]
HEADER_ALIASES = {
    "account": {"compte", "n° de compte", "numero de compte", "no compte"},
    "label": {"libelle", "intitule"},
    "forecast": {"montant previsionnel", "previsionnel", "prevision", "montant prevu"},
    "realised": {"montant realise", "realise", "realisation", "montant realisation"},
}
EXPECTED_HEADERS = "« Compte », « Libellé », « Montant prévisionnel » (et « Montant réalisé »)"


@dataclass
class ImportResult:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number or None, French message)
    lines_written: int = 0
    rows_scanned: int = 0  # how far the sheet was read

    @property
    def ok(self):
        return not self.errors


def _normalise(text):
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(text.replace("*", " ").lower().split())


# -- Writing -------------------------------------------------------------------------------


def budget_workbook(budget=None):
    """The template (no budget: the chart with empty amounts) or a budget's lines, as XLSX.

    A realised budget's export fills « Montant prévisionnel » from the forecast budget of the
    same year (for reference) and « Montant réalisé » from its own lines.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    if budget is None:
        title = "Budget d'association — modèle Cerfa 12156 / 15059"
        rows = [(account, label, None, None) for account, label, _ in chart.standard_lines()]
    else:
        title = f"{budget.get_kind_display()} {budget.year} — {budget.association.name}"
        rows = _budget_rows(budget)
    set_safe_value(sheet["A1"], title)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        "Une ligne par compte : les chapitres (60, 61… 87) et leurs sous-lignes. Ajoutez des "
        "lignes libres (un financeur par ligne, etc.) sous le chapitre voulu. Montants en euros, "
        "positifs, au plus deux décimales."
    )
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A2:D2")
    sheet.row_dimensions[2].height = 45
    header_row = 4
    fill = PatternFill("solid", fgColor="E8EEF7")
    for column, text in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=header_row, column=column, value=text)
        cell.font = Font(bold=True)
        cell.fill = fill
    for offset, (account, label, forecast, realised) in enumerate(rows, start=1):
        row = header_row + offset
        set_safe_value(sheet.cell(row=row, column=1), account)
        set_safe_value(sheet.cell(row=row, column=2), label)
        for column, value in ((3, forecast), (4, realised)):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.number_format = EURO_FORMAT
        if len(account) == 2:
            for column in (1, 2):
                sheet.cell(row=row, column=column).font = Font(bold=True)
    for column, width in zip("ABCD", (10, 70, 22, 22), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:D{header_row + len(rows)}"
    _add_notice(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _budget_rows(budget):
    lines = sorted(budget.lines.all(), key=lambda line: line.sort_key)
    if not budget.is_realised:
        return [(li.account, li.label, li.amount, None) for li in lines]
    forecast = AssociationBudget.objects.filter(
        association_id=budget.association_id,
        year=budget.year,
        kind=AssociationBudget.Kind.FORECAST,
    ).first()
    planned = {}
    if forecast is not None:
        for line in forecast.lines.all():
            planned[(line.account, line.label)] = line.amount
    return [(li.account, li.label, planned.get((li.account, li.label)), li.amount) for li in lines]


def _add_notice(workbook):
    notice = workbook.create_sheet("Mode d'emploi")
    notice.column_dimensions["A"].width = 12
    notice.column_dimensions["B"].width = 90
    notice["A1"] = "Comptes admis"
    notice["A1"].font = Font(bold=True)
    notice["B1"] = (
        f"{chart.ALLOWED_CHAPTERS_TEXT} (3 à {chart.MAX_ACCOUNT_LENGTH} chiffres). Les "
        "financeurs publics vont sous 7401 (État) à 7409 (autres établissements publics)."
    )
    notice["A2"] = "Import"
    notice["A2"].font = Font(bold=True)
    notice["B2"] = (
        "L'import remplace toutes les lignes du budget. Budget prévisionnel : la colonne "
        "« Montant prévisionnel » est lue. Compte rendu financier : la colonne « Montant "
        "réalisé » est lue, « Montant prévisionnel » n'est qu'un rappel. En cas d'erreur, "
        "rien n'est enregistré et chaque erreur est signalée avec son numéro de ligne."
    )
    row = 4
    for chapter in chart.CHAPTERS:
        notice.cell(row=row, column=1, value=chapter.account).font = Font(bold=True)
        notice.cell(row=row, column=2, value=chapter.label).font = Font(bold=True)
        row += 1
        for sub in chapter.sublines:
            notice.cell(row=row, column=1, value=sub.account)
            notice.cell(row=row, column=2, value=sub.label)
            row += 1


# -- Reading -------------------------------------------------------------------------------


def _check_container(data):
    """Refuse what is not a reasonable XLSX before handing it to openpyxl."""
    if len(data) > MAX_FILE_SIZE:
        return f"Le fichier dépasse {MAX_FILE_SIZE // (1024 * 1024)} Mo."
    not_xlsx = "Le fichier n'est pas un classeur Excel XLSX (format .xlsx)."
    if not data.startswith(XLSX_SIGNATURE):
        return not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return not_xlsx
            if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_SIZE:
                return "Le classeur est trop volumineux une fois décompressé."
    except (zipfile.BadZipFile, OSError, ValueError):
        return not_xlsx
    return None


def _find_header(rows):
    """(row number, {role: column index}) of the header row, or (None, {})."""
    for number, values in rows:
        columns = {}
        for index, value in enumerate(values):
            text = _normalise(value)
            for role, aliases in HEADER_ALIASES.items():
                if text in aliases and role not in columns:
                    columns[role] = index
        if "account" in columns:
            return number, columns
    return None, {}


def _cell_amount(value):
    """A cell's amount (None when empty); ValueError with a French message otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"« {value} » n'est pas un montant.")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        raise ValueError("la cellule contient une date, pas un montant.")
    if isinstance(value, int):
        if abs(value) > MAX_AMOUNT:
            raise ValueError(AMOUNT_TOO_LARGE)
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"« {value} » n'est pas un montant.")
        if abs(value) > MAX_AMOUNT:
            raise ValueError(AMOUNT_TOO_LARGE)
        amount = Decimal(repr(value))
        rounded = amount.quantize(Decimal("0.01"))
        if abs(amount - rounded) > Decimal("0.000001"):
            raise ValueError(f"« {value} » : au plus deux décimales (les centimes).")
        return rounded
    if isinstance(value, str):
        return parse_amount(value)
    raise ValueError(f"« {value} » n'est pas un montant.")


AMOUNT_TOO_LARGE = "montant trop élevé (au plus 9 999 999 999,99 €)."


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class TooManyRows(Exception):
    pass


def _scan(sheet, result):
    """(row number, values) of the sheet's first rows, read lazily: reading stops after
    MAX_SCANNED_ROWS rows (TooManyRows), and a formula or an error cell is reported with its
    coordinates (its value is then None)."""
    rows = []
    # The <dimension> a file declares is not trusted (a wrong one would silently cut rows off):
    # openpyxl reads the rows as they come and stops one row past the limit.
    sheet.reset_dimensions()
    cells_by_row = sheet.iter_rows(min_row=1, max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS)
    for number, cells in enumerate(cells_by_row, start=1):
        if number > MAX_SCANNED_ROWS:
            raise TooManyRows
        result.rows_scanned = number
        values = []
        for cell in cells:
            value = getattr(cell, "value", None)
            data_type = getattr(cell, "data_type", None)
            if data_type == "f":  # a string cell starting with "=" is text, and stays
                result.errors.append(
                    (
                        number,
                        f"Cellule {cell.coordinate} : les formules ne sont pas acceptées ; "
                        "copiez la colonne puis collez les valeurs seules (« Collage spécial » "
                        "→ « Valeurs »).",
                    )
                )
                value = None
            elif data_type == "e":
                result.errors.append(
                    (number, f"Cellule {cell.coordinate} : la cellule contient l'erreur {value}.")
                )
                value = None
            values.append(value)
        rows.append((number, values))
    return rows


MERGE_RE = re.compile(
    rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\""
)


def merged_ranges(archive, path):
    """(first row, last row, 'A5:B6') of each merged range of a sheet, read from its XML in
    chunks (the read-only mode of openpyxl does not see merges)."""
    ranges, tail = [], b""
    with archive.open(path) as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            data = tail + chunk
            for match in MERGE_RE.finditer(data):
                _first_col, first, _last_col, last = match.groups()
                ref = match.group(0).split(b'"')[1].decode()
                ranges.append((int(first), int(last or first), ref))
            tail = data[-100:]
    return list({r[2]: r for r in ranges}.values())


def read_budget_file(data, *, realised):
    """Every row of the file checked; the result's rows are LineData when there is no error."""
    result = ImportResult()
    problem = _check_container(data)
    if problem:
        result.errors.append((None, problem))
        return result
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.active
            rows = _scan(sheet, result)
            merges = merged_ranges(workbook._archive, sheet._worksheet_path)
        finally:
            workbook.close()
    except TooManyRows:
        result.errors = [
            (
                None,
                f"Le classeur compte plus de {MAX_SCANNED_ROWS} lignes (lignes vides comprises) : "
                f"un budget en compte au plus {MAX_ROWS}. Supprimez les lignes inutiles.",
            )
        ]
        return result
    except Exception:  # openpyxl raises many kinds on a damaged file
        result.errors = [(None, "Le classeur XLSX n'a pas pu être lu (fichier endommagé ?).")]
        return result
    header_number, columns = _find_header(rows[:HEADER_SCAN_ROWS])
    amount_role = "realised" if realised else "forecast"
    if header_number is None or "label" not in columns or amount_role not in columns:
        wanted = "« Montant réalisé »" if realised else "« Montant prévisionnel »"
        result.errors.append(
            (
                None,
                f"En-têtes introuvables : le classeur doit avoir une ligne d'en-tête "
                f"{EXPECTED_HEADERS} dans ses {HEADER_SCAN_ROWS} premières lignes ; la colonne "
                f"{wanted} est obligatoire pour ce budget.",
            )
        )
        return result
    for first, last, ref in merges:
        if last >= header_number:
            result.errors.append(
                (
                    first,
                    f"Cellules fusionnées {ref} : défusionnez-les, une valeur par cellule.",
                )
            )
    data_rows = [
        (n, values)
        for n, values in rows
        if n > header_number and any(v not in (None, "") for v in values)
    ]
    if len(data_rows) > MAX_ROWS:
        result.errors = [(None, f"Le classeur dépasse {MAX_ROWS} lignes de budget.")]
        return result
    _read_rows(result, data_rows, columns, amount_role)
    return result


def _read_rows(result, data_rows, columns, amount_role):
    seen = {}
    for number, values in data_rows:

        def cell(role, values=values):
            index = columns.get(role)
            return values[index] if index is not None and index < len(values) else None

        account = _cell_text(cell("account"))
        label = _cell_text(cell("label"))
        raw_amount = cell(amount_role)
        if not account and not label and raw_amount in (None, ""):
            continue
        before = len(result.errors)
        if not account:
            result.errors.append((number, "Compte manquant."))
        elif chart.chapter_of(account) is None:
            result.errors.append(
                (number, f"Compte « {account} » inconnu : {chart.ALLOWED_CHAPTERS_TEXT}.")
            )
        elif not label:
            label = chart.default_label(account)
            if not label:
                result.errors.append((number, f"Libellé manquant pour le compte {account}."))
        amount = _row_amount(result, number, raw_amount)
        if len(result.errors) > before:
            continue
        key = (account, "" if len(account) == 2 else label.casefold())
        if key in seen:
            what = f"le chapitre {account}" if len(account) == 2 else f"« {account} {label} »"
            result.errors.append(
                (number, f"Ligne en double : {what} figure déjà ligne {seen[key]}.")
            )
            continue
        seen[key] = number
        result.rows.append(LineData(account=account, label=label, amount=amount))


def _row_amount(result, number, raw):
    try:
        amount = _cell_amount(raw)
    except (ValueError, InvalidOperation) as error:
        result.errors.append((number, f"Montant invalide : {error}"))
        return None
    if amount is None:
        return Decimal("0.00")
    if amount < 0:
        result.errors.append((number, f"Montant négatif ({raw}) : les montants sont positifs."))
    elif amount > MAX_AMOUNT:
        result.errors.append((number, f"Montant invalide : {AMOUNT_TOO_LARGE}"))
    return amount


def budget_import(budget, uploaded_file, *, user):
    """Read the upload and, only if every row is right, replace the budget's lines."""
    if uploaded_file.size is not None and uploaded_file.size > MAX_FILE_SIZE:
        return ImportResult(errors=[(None, f"Le fichier dépasse {MAX_FILE_SIZE // 2**20} Mo.")])
    data = uploaded_file.read(MAX_FILE_SIZE + 1)
    result = read_budget_file(data, realised=budget.is_realised)
    if not result.ok:
        return result
    if not result.rows:
        result.errors.append((None, "Le classeur ne contient aucune ligne de budget."))
        return result
    try:
        result.lines_written = len(budget_lines_replace(budget, result.rows, user=user))
    except ValidationError as error:
        result.errors.extend((None, message) for message in error.messages)
    return result
