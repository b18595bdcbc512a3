"""Reading files of past grants (SCDL CSV, other CSV, XLSX) and turning their rows into grants.

The file is read as a stream, whatever its size: encoding detected in a first pass (UTF-8 with
or without BOM, else Windows-1252), separator and header line found among the first lines, then
rows parsed one by one and written in chunks (`bulk_create`), so memory does not grow with the
number of rows. A row that cannot be read without guessing is refused with its line, its column
and the reason; the others are imported (or, in a dry run, only counted).
"""

import codecs
import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from associations.models import Association
from grants.models import Authority, Grant, ImportedGrantRecord
from grants.opendata import scdl
from grants.opendata.scdl import LABELS, ValueRefused

CHUNK_ROWS = 500
HEADER_SCAN_LINES = 20
READ_BLOCK = 64 * 1024
DELIMITERS = [",", ";", "\t"]
DELIMITER_NAMES = {",": "virgule", ";": "point-virgule", "\t": "tabulation"}

# The columns an import cannot do without (SCDL names). idAttribuant may be left out when the
# importing authority is known: every row is then that authority's.
REQUIRED_COLUMNS = ["dateConvention", "nomBeneficiaire", "objet", "montant"]
BENEFICIARY_ID_COLUMNS = ["idBeneficiaire", "rnaBeneficiaire"]
# What a column the file does not have at all means; shown to the user before they confirm.
ABSENT_COLUMN_DEFAULTS = {
    "nature": scdl.NATURE_CASH,
    "conditionsVersement": scdl.CONDITION_SINGLE,
    "datesPeriodeVersement": "la date de la convention",
    "notificationUE": "non",
    "pourcentageSubvention": "1",
}


def max_bytes():
    return getattr(settings, "OPENDATA_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


class FileUnreadable(Exception):
    """The file as a whole cannot be read; the message says why, in French."""


class MissingColumns(FileUnreadable):
    """The header lacks required columns: the web page offers to map them by hand."""

    def __init__(self, missing, headers):
        self.missing = missing
        self.headers = headers
        names = ", ".join(scdl.column_label(c) for c in missing)
        super().__init__(
            f"L'en-tête ne contient pas les colonnes requises : {names}. Renommez ces colonnes "
            "ou faites-les correspondre aux vôtres."
        )


def format_megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


# --------------------------------------------------------------------------------------------
# Reading the table
# --------------------------------------------------------------------------------------------


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def detect_format(opener):
    with opener() as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable(
            "Ce classeur est au format Excel 97-2003 (.xls) : enregistrez-le en .xlsx ou en CSV."
        )
    return "csv"


def detect_encoding(opener):
    """UTF-8 with BOM, UTF-8, else Windows-1252; read through once, a block at a time."""
    with opener() as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnreadable(
            "Le fichier est encodé en UTF-16 : enregistrez-le en CSV UTF-8 puis déposez-le à "
            "nouveau."
        )
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with opener() as handle:
                while block := handle.read(READ_BLOCK):
                    if b"\x00" in block:
                        raise FileUnreadable(
                            "Le fichier contient des octets nuls : ce n'est pas un fichier texte "
                            "CSV (ni un classeur .xlsx)."
                        )
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileUnreadable(
        "L'encodage du fichier n'est pas reconnu (ni UTF-8 ni Windows-1252) : enregistrez-le en "
        "CSV UTF-8."
    )


def _score(cells):
    return sum(1 for cell in cells if scdl.normalize_name(cell) in scdl.KNOWN_NAMES)


def _find_header(records):
    """(index, score) of the first record with the most recognised column names."""
    best, best_score = None, 0
    for index, cells in enumerate(records):
        score = _score(cells)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        for index, cells in enumerate(records):
            if any(str(c or "").strip() for c in cells):
                return index, 0
    return best, best_score


@dataclass
class Table:
    """An open table: where its header is, and its rows as (line number, cells)."""

    file_format: str
    headers: list
    header_line: int
    rows: object
    progress: object
    total: int
    closer: object = None

    def close(self):
        if self.closer:
            self.closer()


def _open_csv(opener, encoding):
    with opener() as handle:
        head = handle.read(READ_BLOCK).decode(encoding, errors="replace")
    head_lines = head.splitlines()[: HEADER_SCAN_LINES + 1]
    choice = None
    for delimiter in DELIMITERS:
        records = [r for r in csv.reader(head_lines, delimiter=delimiter)][:HEADER_SCAN_LINES]
        index, score = _find_header(records)
        if index is None:
            continue
        width = len(records[index])
        key = (score, width)
        if choice is None or key > choice[0]:
            choice = (key, delimiter, index)
    if choice is None:
        raise FileUnreadable("Le fichier est vide : aucune ligne d'en-tête.")
    _, delimiter, header_index = choice

    raw = opener()
    counting = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counting, READ_BLOCK), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    headers, header_line, previous = None, 0, 0
    for _ in range(header_index + 1):
        try:
            headers = next(reader)
        except StopIteration:
            text.close()
            raise FileUnreadable("Le fichier est vide : aucune ligne d'en-tête.") from None
        header_line, previous = previous + 1, reader.line_num

    def remaining():
        last = previous
        for cells in reader:
            start, last = last + 1, reader.line_num
            yield start, cells

    return Table(
        file_format=f"CSV {_encoding_label(encoding)}, séparateur {DELIMITER_NAMES[delimiter]}",
        headers=[str(h) for h in headers],
        header_line=header_line,
        rows=remaining(),
        progress=lambda: counting.count,
        total=0,
        closer=text.close,
    )


def _encoding_label(encoding):
    return {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}[encoding]


def _open_xlsx(opener):
    from openpyxl import load_workbook

    raw = opener()
    try:
        workbook = load_workbook(raw, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as error:
        raw.close()
        raise FileUnreadable(
            "Ce classeur .xlsx est illisible (fichier abîmé ou d'un autre format)."
        ) from error
    rows_iter = sheet.iter_rows(values_only=True)
    head = []
    for _ in range(HEADER_SCAN_LINES):
        try:
            head.append(list(next(rows_iter)))
        except StopIteration:
            break
    index, _ = _find_header(head)
    if index is None:
        workbook.close()
        raw.close()
        raise FileUnreadable("La première feuille du classeur est vide : aucune ligne d'en-tête.")
    done = {"rows": 0}

    def remaining():
        for offset, cells in enumerate(head[index + 1 :], start=index + 2):
            done["rows"] = offset
            yield offset, cells
        for line, cells in enumerate(rows_iter, start=len(head) + 1):
            done["rows"] = line
            yield line, list(cells)

    def close():
        workbook.close()
        raw.close()

    return Table(
        file_format="classeur XLSX",
        headers=["" if h is None else str(h) for h in head[index]],
        header_line=index + 1,
        rows=remaining(),
        progress=lambda: done["rows"],
        total=sheet.max_row or 0,
        closer=close,
    )


def open_table(opener, size):
    if size > max_bytes():
        raise FileUnreadable(
            f"Le fichier pèse {format_megabytes(size)} : la limite est de "
            f"{format_megabytes(max_bytes())}. Découpez-le (par exemple par année) et déposez "
            "chaque partie."
        )
    if size == 0:
        raise FileUnreadable("Le fichier est vide.")
    if detect_format(opener) == "xlsx":
        return _open_xlsx(opener)
    table = _open_csv(opener, detect_encoding(opener))
    table.total = size
    return table


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------


def match_columns(headers, mapping=None, *, authority_known=False):
    """{SCDL column: cell index} from the header, by name (case, accents and punctuation
    ignored), then the user's mapping {SCDL column: header text}. Raises MissingColumns."""
    index = {}
    for position, header in enumerate(headers):
        column = scdl.KNOWN_NAMES.get(scdl.normalize_name(header))
        if column and column not in index:
            index[column] = position
    for column, header in (mapping or {}).items():
        if column in scdl.KNOWN_NAMES.values() and header:
            positions = [i for i, h in enumerate(headers) if str(h).strip() == header]
            if positions:
                index[column] = positions[0]
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if not authority_known and "idAttribuant" not in index:
        missing.insert(0, "idAttribuant")
    if not any(c in index for c in BENEFICIARY_ID_COLUMNS):
        missing.append("idBeneficiaire")
    if missing:
        raise MissingColumns(missing, headers)
    return index


def absent_defaults(index):
    return {c: v for c, v in ABSENT_COLUMN_DEFAULTS.items() if c not in index}


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict
    authority: Authority | None = None
    association: Association | None = None
    key: str = ""


@dataclass
class Report:
    imported: int = 0
    refused: int = 0
    duplicates: int = 0
    skipped: int = 0
    valid: int = 0
    associations_created: int = 0
    authorities_created: int = 0
    file_format: str = ""
    header_line: int = 1
    defaults: dict = field(default_factory=dict)

    def summary(self):
        return (
            f"{self.imported} importées, {self.refused} refusées, {self.duplicates} déjà présentes"
        )


def _cell(cells, index, column):
    position = index.get(column)
    if position is None or position >= len(cells):
        return None
    value = cells[position]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _is_empty(cells):
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return scdl.clean_text(value)


PARSERS = {
    "idAttribuant": scdl.parse_siret,
    "idBeneficiaire": scdl.parse_siret,
    "rnaBeneficiaire": scdl.parse_rna,
    "dateConvention": scdl.parse_date,
    "montant": scdl.parse_amount,
    "nature": scdl.parse_nature,
    "conditionsVersement": scdl.parse_conditions,
    "datesPeriodeVersement": scdl.parse_period,
    "idRAE": scdl.parse_rae,
    "notificationUE": scdl.parse_yes_no,
    "pourcentageSubvention": scdl.parse_percentage,
    scdl.YEAR_COLUMN: scdl.parse_year,
}
TEXT_LIMITS = {
    "nomAttribuant": 200,
    "nomBeneficiaire": 200,
    "referenceDecision": 300,
    "dispositifAide": 256,
}
# The schema's required columns; the attributor's name may be left out of a row: it is the
# importing authority's, or the one found by its SIRET (`resolve_authority`).
REQUIRED_VALUES = scdl.REQUIRED - {"nomAttribuant"}


def parse_cells(cells, index):
    """The values of one row, or the problems [(column, reason)] that refuse it."""
    values, problems = {}, []
    for column in index:
        raw = _cell(cells, index, column)
        if isinstance(raw, str) and raw.startswith("="):
            problems.append(
                (
                    column,
                    f"la cellule contient une formule (« {raw[:40]} ») : remplacez-la par "
                    "sa valeur.",
                )
            )
            continue
        if raw is None:
            if column in REQUIRED_VALUES:
                problems.append((column, f"{LABELS[column]} manquant."))
            continue
        parser = PARSERS.get(column)
        try:
            if parser:
                values[column] = parser(raw)
            else:
                text = _text(raw)
                limit = TEXT_LIMITS.get(column)
                if limit and len(text) > limit:
                    raise ValueRefused(f"plus de {limit} caractères.")
                values[column] = text
        except ValueRefused as error:
            problems.append((column, str(error)))
    if (
        not values.get("idBeneficiaire")
        and not values.get("rnaBeneficiaire")
        and not any(c in BENEFICIARY_ID_COLUMNS for c, _ in problems)
    ):
        problems.append(("idBeneficiaire", "ni SIRET ni numéro RNA du bénéficiaire."))
    return values, problems


def complete(values):
    """Apply the values of the columns the file does not have (shown before confirming)."""
    values.setdefault("nature", scdl.NATURE_CASH)
    values.setdefault("conditionsVersement", scdl.CONDITION_SINGLE)
    if "datesPeriodeVersement" not in values and "dateConvention" in values:
        values["datesPeriodeVersement"] = values["dateConvention"].isoformat()
    values.setdefault("notificationUE", False)
    values.setdefault("pourcentageSubvention", Decimal("1"))
    values.setdefault("referenceDecision", "")
    values.setdefault("idBeneficiaire", "")
    values.setdefault("rnaBeneficiaire", "")
    values.setdefault("idRAE", "")
    values.setdefault("dispositifAide", "")
    return values


def row_key(values):
    parts = [
        values["idAttribuant"],
        values["dateConvention"].isoformat(),
        values["referenceDecision"],
        values["nomBeneficiaire"].casefold(),
        values["idBeneficiaire"],
        values["rnaBeneficiaire"],
        values["objet"],
        str(values["montant"]),
        values["nature"],
        values["conditionsVersement"],
        values["datesPeriodeVersement"],
        values["idRAE"],
        "oui" if values["notificationUE"] else "non",
        str(values["pourcentageSubvention"]),
        values["dispositifAide"],
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def beneficiary_share(values):
    share = values["montant"] * values["pourcentageSubvention"]
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# The importer
# --------------------------------------------------------------------------------------------


class Importer:
    """Reads a table and imports (commit=True) or only checks (commit=False) its rows.

    `on_issue(line, kind, column, message)` receives each refused or already present row;
    `on_progress(done, total)` is called after each chunk."""

    def __init__(
        self,
        batch,
        *,
        authority=None,
        create_authorities=False,
        mapping=None,
        commit=True,
        on_issue=None,
        on_progress=None,
    ):
        self.batch = batch
        self.authority = authority
        self.create_authorities = create_authorities
        self.mapping = mapping or {}
        self.commit = commit
        self.on_issue = on_issue or (lambda *args: None)
        self.on_progress = on_progress or (lambda done, total: None)
        self.report = Report()
        self.authorities = {}
        self.seen_keys = set()

    # -- entry point

    def run(self, opener, size):
        table = open_table(opener, size)
        try:
            index = match_columns(
                table.headers, self.mapping, authority_known=self.authority is not None
            )
            self.report.file_format = table.file_format
            self.report.header_line = table.header_line
            self.report.defaults = absent_defaults(index)
            chunk = []
            for line, cells in table.rows:
                if _is_empty(cells):
                    self.report.skipped += 1
                    continue
                row = self.read_row(line, cells, index)
                if row is not None:
                    chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    self.flush(chunk)
                    chunk = []
                    self.on_progress(table.progress(), table.total)
            self.flush(chunk)
            self.on_progress(table.total or table.progress(), table.total)
        finally:
            table.close()
        return self.report

    # -- one row

    def refuse(self, line, column, message):
        label = scdl.column_label(column)
        self.on_issue(line, "refusee", label, message)

    def read_row(self, line, cells, index):
        values, problems = parse_cells(cells, index)
        if not problems:
            problems = self.resolve_authority(values)
        if problems:
            self.report.refused += 1
            for column, message in problems:
                self.refuse(line, column, message)
            return None
        values = complete(values)
        if beneficiary_share(values) <= 0:
            self.report.refused += 1
            self.refuse(line, "pourcentageSubvention", "la part du bénéficiaire est nulle.")
            return None
        return Row(line=line, values=values, authority=values.pop("_authority"))

    def resolve_authority(self, values):
        """The authority the row belongs to (idAttribuant), or why it is refused."""
        siret = values.get("idAttribuant")
        if siret is None:
            values["idAttribuant"] = self.authority.siret or ""
            values.setdefault("nomAttribuant", self.authority.name)
            values["_authority"] = self.authority
            if not self.authority.siret:
                return [
                    (
                        "idAttribuant",
                        f"la collectivité « {self.authority.name} » n'a pas de SIRET : "
                        "renseignez-le, ou ajoutez une colonne idAttribuant.",
                    )
                ]
            return []
        if siret not in self.authorities:
            found = Authority.objects.filter(siret=siret).first()
            if found is None:
                found = Authority.objects.filter(siren=siret[:9]).first()
            self.authorities[siret] = found
        found = self.authorities[siret]
        if found is not None and (
            self.authority is None or found == self.authority or self.create_authorities
        ):
            values.setdefault("nomAttribuant", found.name)
            values["_authority"] = found
            return []
        if found is not None:
            return [
                (
                    "idAttribuant",
                    f"« {siret} » est le SIRET de « {found.name} », pas celui de la collectivité "
                    f"qui importe (« {self.authority.name} »).",
                )
            ]
        if not self.create_authorities:
            who = f" (« {self.authority.name} »)" if self.authority else ""
            return [
                (
                    "idAttribuant",
                    f"aucune collectivité n'a le SIRET « {siret} »"
                    + (
                        f" : ce n'est pas celui de la collectivité qui importe{who}."
                        if who
                        else "."
                    )
                    + (
                        ""
                        if who
                        else " L'administrateur de la plateforme peut la créer "
                        "(--create-authorities)."
                    ),
                )
            ]
        name = values.get("nomAttribuant")
        if not name:
            return [("nomAttribuant", "nom de l'attribuant manquant pour créer la collectivité.")]
        if Authority.objects.filter(name=name).exists():
            return [
                (
                    "nomAttribuant",
                    f"une autre collectivité s'appelle déjà « {name} » : la collectivité du "
                    f"SIRET « {siret} » ne peut pas être créée sous ce nom.",
                )
            ]
        authority = Authority(name=name, siren=siret[:9], siret=siret)
        if self.commit:
            authority.save()
        self.report.authorities_created += 1
        self.authorities[siret] = authority
        values["_authority"] = authority
        return []

    # -- a chunk of valid rows

    def flush(self, chunk):
        if not chunk:
            return
        for row in chunk:
            row.key = row_key(row.values)
        existing = set(
            ImportedGrantRecord.objects.filter(row_key__in=[r.key for r in chunk]).values_list(
                "row_key", flat=True
            )
        )
        fresh = []
        local = set()
        for row in chunk:
            if row.key in existing or row.key in local or row.key in self.seen_keys:
                self.report.duplicates += 1
                self.on_issue(
                    row.line,
                    "doublon",
                    "",
                    "la même subvention a déjà été importée.",
                )
                continue
            local.add(row.key)
            fresh.append(row)
        if not self.commit:
            # Nothing is written in a dry run: remember the keys to report repeats in the file.
            self.seen_keys |= local
        self.match_associations(fresh)
        self.report.valid += len(fresh)
        if self.commit and fresh:
            try:
                with transaction.atomic():
                    self.write(fresh)
            except IntegrityError:
                # Another import wrote the same rows meanwhile: count them one by one.
                self._forget_unsaved()
                for row in fresh:
                    try:
                        with transaction.atomic():
                            self.write([row])
                    except IntegrityError:
                        self._forget_unsaved()
                        self.report.valid -= 1
                        self.report.duplicates += 1
                        self.on_issue(
                            row.line,
                            "doublon",
                            "",
                            "la même subvention vient d'être importée par un autre import.",
                        )

    @staticmethod
    def existing_associations(rows):
        """The associations of the rows' authorities that share a SIRET, an RNA or a SIREN."""
        saved = [r for r in rows if r.authority.pk]
        sirets = {r.values["idBeneficiaire"] for r in saved if r.values["idBeneficiaire"]}
        rnas = {r.values["rnaBeneficiaire"] for r in saved if r.values["rnaBeneficiaire"]}
        found = {"siret": {}, "rna": {}, "siren": {}}
        if not saved:
            return found
        candidates = Association.objects.filter(
            authority__in={r.authority.pk for r in saved}
        ).filter(Q(siret__in=sirets) | Q(rna__in=rnas) | Q(siren__in={s[:9] for s in sirets}))
        for association in candidates:
            for kind in found:
                value = getattr(association, kind)
                if value:
                    found[kind].setdefault((association.authority_id, value), association)
        return found

    def match_associations(self, rows):
        """By SIRET, then RNA, then SIREN (same legal person) within the row's authority;
        otherwise a new association (created when the chunk is written)."""
        found = self.existing_associations(rows)
        new = {"siren": {}, "rna": {}}
        created = []
        for row in rows:
            a = row.authority.pk
            siret, rna = row.values["idBeneficiaire"], row.values["rnaBeneficiaire"]
            match = (
                (siret and found["siret"].get((a, siret)))
                or (rna and found["rna"].get((a, rna)))
                or (siret and found["siren"].get((a, siret[:9])))
            )
            if not match:
                match = self.new_association(row, new, created)
            row.association = match
        self.report.associations_created += len(created)
        self._new_associations = created

    @staticmethod
    def new_association(row, new, created):
        """The association this chunk creates for the row (one per SIREN or RNA)."""
        owner = id(row.authority)
        siret, rna = row.values["idBeneficiaire"], row.values["rnaBeneficiaire"]
        association = new["siren"].get((owner, siret[:9])) if siret else None
        if association is None and rna:
            association = new["rna"].get((owner, rna))
        if association is None:
            association = Association(authority=row.authority, name=row.values["nomBeneficiaire"])
            created.append(association)
        if siret and not association.siret:
            association.siret, association.siren = siret, siret[:9]
            new["siren"].setdefault((owner, siret[:9]), association)
        if rna and not association.rna:
            association.rna = rna
            new["rna"].setdefault((owner, rna), association)
        return association

    def _forget_unsaved(self):
        """After a rollback, the associations of the chunk are not in the database any more."""
        for association in self._new_associations:
            if association.pk and not Association.objects.filter(pk=association.pk).exists():
                association.pk = None

    def write(self, rows):
        new = [a for a in self._new_associations if a.pk is None]
        for association in new:
            association.authority_id = association.authority.pk
        if new:
            bulk_create_with_history(new, Association, batch_size=CHUNK_ROWS)
        grants = [
            Grant(
                authority_id=row.authority.pk,
                association_id=row.association.pk,
                year=row.values.get(scdl.YEAR_COLUMN) or row.values["dateConvention"].year,
                amount=beneficiary_share(row.values),
                object=row.values["objet"],
                aid_scheme_label=row.values["dispositifAide"],
            )
            for row in rows
        ]
        bulk_create_with_history(grants, Grant, batch_size=CHUNK_ROWS)
        if any(g.pk is None for g in grants):  # pragma: no cover - databases without RETURNING
            raise IntegrityError("grant ids not returned")
        records = [
            ImportedGrantRecord(
                grant_id=grant.pk,
                batch=self.batch,
                line=row.line,
                row_key=row.key,
                attributor_name=row.values["nomAttribuant"],
                attributor_siret=row.values["idAttribuant"],
                convention_date=row.values["dateConvention"],
                decision_reference=row.values["referenceDecision"],
                beneficiary_name=row.values["nomBeneficiaire"],
                beneficiary_siret=row.values["idBeneficiaire"],
                beneficiary_rna=row.values["rnaBeneficiaire"],
                total_amount=row.values["montant"],
                nature=row.values["nature"],
                payment_conditions=row.values["conditionsVersement"],
                payment_dates=row.values["datesPeriodeVersement"],
                rae_id=row.values["idRAE"],
                eu_notification=row.values["notificationUE"],
                percentage=row.values["pourcentageSubvention"],
            )
            for grant, row in zip(grants, rows, strict=True)
        ]
        ImportedGrantRecord.objects.bulk_create(records, batch_size=CHUNK_ROWS)
        self.report.imported += len(rows)
