"""The SCDL « subventions » 2.1.1 format: its columns, and how one value is read and written.

Reading is strict in one way only: what a file says is accepted in every spelling that can be
read without guessing (French amounts « 40 000,00 », dates JJ/MM/AAAA, periods with « _ »);
anything that would need a guess (a SIRET a spreadsheet turned into a float, a two-digit year,
« 40.000 ») raises `ValueRefused` with a French reason the user can act on.
"""

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from stdnum.fr import siret as stdnum_siret

SCHEMA_PATH = Path(__file__).with_name("schema") / "scdl-subventions-2.1.1.json"

# The 16 columns, in the schema's order.
COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
REQUIRED = {
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "nomBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "notificationUE",
    "pourcentageSubvention",
}
# Not an SCDL column: a spreadsheet of past grants often says which financial year it is.
YEAR_COLUMN = "exercice"

# Column labels shown to users (the schema's titles, shortened).
LABELS = {
    "nomAttribuant": "nom de l'attribuant",
    "idAttribuant": "SIRET de l'attribuant",
    "dateConvention": "date de la convention",
    "referenceDecision": "référence de la décision",
    "nomBeneficiaire": "nom du bénéficiaire",
    "idBeneficiaire": "SIRET du bénéficiaire",
    "rnaBeneficiaire": "RNA du bénéficiaire",
    "objet": "objet",
    "montant": "montant",
    "nature": "nature",
    "conditionsVersement": "conditions de versement",
    "datesPeriodeVersement": "dates ou période de versement",
    "idRAE": "identifiant RAE",
    "notificationUE": "notification UE",
    "pourcentageSubvention": "pourcentage de la subvention",
    "dispositifAide": "dispositif d'aide",
    YEAR_COLUMN: "exercice",
}


def column_label(column):
    """« idAttribuant (SIRET de l'attribuant) », or « montant » when the name says it all."""
    label = LABELS.get(column)
    if not label or re.sub(r"[^a-z]", "", label.lower()) == column.lower():
        return column
    return f"{column} ({label})"


OBJECT_MAX_LENGTH = 256
CONDITIONS_MAX_LENGTH = 256
RAE_MAX_LENGTH = 5
NATURE_CASH = "aide en numéraire"
NATURE_KIND = "aide en nature"
NATURES = [
    NATURE_CASH,
    NATURE_KIND,
    f"{NATURE_CASH};{NATURE_KIND}",
    f"{NATURE_KIND};{NATURE_CASH}",
]
CONDITION_SINGLE = "unique"
CONDITION_STAGED = "échelonné"
PERIOD_PATTERN = re.compile(r"^[0-9]{4}\-[0-9]{2}\-[0-9]{2}(\/[0-9]{4}\-[0-9]{2}\-[0-9]{2})?$")
ISO_DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
RNA_PATTERN = re.compile(r"^W\d{9}$")
# Characters a spreadsheet would read as the start of a formula.
FORMULA_START = ("=", "+", "@", "\t", "\r")


@cache
def schema_descriptor():
    """The official Table Schema, copied unchanged into the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class ValueRefused(ValueError):
    """A cell that cannot be read without guessing; the message says why, in French."""


def normalize_name(name):
    """A column name compared without case, accents, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


KNOWN_NAMES = {normalize_name(column): column for column in [*COLUMNS, YEAR_COLUMN]}


def clean_text(value):
    """Strip spaces (including non-breaking ones) around a cell."""
    return str(value or "").replace("\u00a0", " ").replace("\u202f", " ").strip()


def _compact(value):
    return re.sub(r"[\s\u00a0\u202f]", "", str(value or ""))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def parse_siret(value):
    """A SIRET of 14 digits passing the Luhn check; spaces between groups are allowed."""
    text = _compact(value)
    if re.fullmatch(r"\d+[.,]\d*|\d+([.,]\d+)?[eE][+-]?\d+", text):
        raise ValueRefused(
            f"« {value} » : le SIRET a été transformé en nombre par un tableur ; ses derniers "
            "chiffres ne sont plus sûrs. Saisissez-le comme du texte (14 chiffres)."
        )
    if not text.isdigit():
        raise ValueRefused(f"« {value} » n'est pas un SIRET (14 chiffres attendus).")
    if len(text) == 9:
        raise ValueRefused(f"« {value} » est un SIREN (9 chiffres) : le SIRET en compte 14.")
    if len(text) == 13:
        raise ValueRefused(
            f"« {value} » compte 13 chiffres : un zéro initial a sans doute été perdu par un "
            "tableur ; le SIRET en compte 14."
        )
    if len(text) != 14:
        raise ValueRefused(f"« {value} » compte {len(text)} chiffres : le SIRET en compte 14.")
    if not stdnum_siret.is_valid(text):
        raise ValueRefused(f"« {value} » : SIRET invalide (clé de contrôle incorrecte).")
    return text


def parse_rna(value):
    text = _compact(value).upper()
    if not RNA_PATTERN.fullmatch(text):
        raise ValueRefused(f"« {value} » : le numéro RNA s'écrit W suivi de 9 chiffres.")
    return text


_DATE_FORMATS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
]
DATE_FORMATS_HELP = "AAAA-MM-JJ, JJ/MM/AAAA ou AAAA/MM/JJ"


def parse_date(value):
    """AAAA-MM-JJ, JJ/MM/AAAA or AAAA/MM/JJ; a spreadsheet date cell is already a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value)
    # A spreadsheet's time part ("2016-12-05 00:00:00") carries no information.
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for pattern, order in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return datetime.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise ValueRefused(f"« {text} » n'est pas une date qui existe.") from None
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", text):
        raise ValueRefused(
            f"« {text} » : l'année sur deux chiffres est ambiguë ; écrivez la date "
            f"{DATE_FORMATS_HELP}."
        )
    if re.fullmatch(r"\d{4,6}([.,]\d+)?", text):
        raise ValueRefused(
            f"« {text} » ressemble à un numéro de jour de tableur, pas à une date ; écrivez-la "
            f"{DATE_FORMATS_HELP}."
        )
    raise ValueRefused(f"« {text} » n'est pas une date lisible ({DATE_FORMATS_HELP}).")


def _number_text(text, original, what, places):
    """« 40 000,00 », « 1.234,56 », « 0,5 », « 22000.80 » → « 40000.00 »… or refused."""
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        integer, _, fraction = text.rpartition(decimal_sep)
        groups = integer.split(thousands)
        if not all(len(g) == 3 for g in groups[1:]) or not groups[0]:
            raise ValueRefused(f"« {original} » n'est pas un {what} lisible.")
        return "".join(groups) + "." + fraction
    if text.count(",") + text.count(".") > 1:
        raise ValueRefused(f"« {original} » n'est pas un {what} lisible.")
    if "," in text or "." in text:
        integer, _, fraction = text.replace(",", ".").partition(".")
        if len(fraction) == 3 and places == 2:
            raise ValueRefused(
                f"« {original} » est ambigu : séparateur des milliers ou des décimales ? "
                "Écrivez par exemple 40000.00 ou 40 000,00."
            )
        return f"{integer}.{fraction}"
    return text


def parse_decimal(value, *, what="montant", places=2):
    """A number written the French way (« 40 000,00 », « 0,5 ») or with a decimal point."""
    if isinstance(value, bool):
        raise ValueRefused(f"« {value} » n'est pas un {what}.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = repr(value)
    else:
        text = _compact(value).replace("€", "").replace("EUR", "")
    if not text:
        raise ValueRefused(f"{what} vide.")
    original = clean_text(value)
    text = _number_text(text, original, what, places)
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueRefused(f"« {original} » n'est pas un {what} lisible.")
    number = Decimal(text)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueRefused(f"« {original} » : plus de {places} décimales.")
    return number


def parse_amount(value):
    amount = parse_decimal(value, what="montant")
    if amount <= 0:
        raise ValueRefused(f"« {clean_text(value)} » : le montant doit être positif.")
    if amount >= Decimal("10000000000"):
        raise ValueRefused(f"« {clean_text(value)} » : montant hors limites.")
    return amount.quantize(Decimal("0.01"))


def parse_percentage(value):
    text = clean_text(value)
    if text.endswith("%"):
        share = parse_decimal(text[:-1], what="pourcentage", places=4) / 100
    else:
        share = parse_decimal(value, what="pourcentage", places=4)
    if not Decimal("0.01") <= share <= 1:
        raise ValueRefused(
            f"« {text} » : le pourcentage s'écrit en nombre décimal entre 0.01 et 1 "
            "(100 % s'écrit 1, 45 % s'écrit 0.45)."
        )
    return share.normalize() if share != 1 else Decimal("1")


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_NATURE_WORDS = {_fold(NATURE_CASH): NATURE_CASH, _fold(NATURE_KIND): NATURE_KIND}


def parse_nature(value):
    """« aide en numéraire », « aide en nature », or both joined by « ; » (or « , »)."""
    parts = [p.strip() for p in re.split(r"[;,]", clean_text(value))]
    natures = [_NATURE_WORDS.get(_fold(re.sub(r"\s+", " ", p))) for p in parts]
    if not parts or None in natures or len(set(natures)) != len(natures):
        raise ValueRefused(
            f"« {clean_text(value)} » : la nature est « aide en numéraire », « aide en nature » "
            "ou les deux séparées par « ; »."
        )
    return ";".join(natures)


def parse_conditions(value):
    text = re.sub(r"\s+", " ", clean_text(value))
    if len(text) > CONDITIONS_MAX_LENGTH:
        raise ValueRefused(
            f"les conditions de versement dépassent {CONDITIONS_MAX_LENGTH} caractères."
        )
    folded = _fold(text)
    return {"unique": CONDITION_SINGLE, "echelonne": CONDITION_STAGED, "autre": "autre"}.get(
        folded, text
    )


def parse_period(value):
    """One date or two joined by « / » (older files: « _ »), each AAAA-MM-JJ or JJ/MM/AAAA.

    A part already written AAAA-MM-JJ is kept as written: the schema checks the pattern only,
    and the official valid example itself holds « 2017-30-05 »."""
    if isinstance(value, datetime.date):
        return parse_date(value).isoformat()
    text = _compact(value)
    if not text:
        raise ValueRefused("période de versement vide.")
    if "_" in text:
        parts = text.split("_")
    elif PERIOD_PATTERN.fullmatch(text):
        parts = text.split("/")
    elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}/\d{1,2}/\d{1,2}/\d{4}", text):
        pieces = text.split("/")
        parts = ["/".join(pieces[:3]), "/".join(pieces[3:])]
    else:
        parts = [text]
    if len(parts) > 2:
        raise ValueRefused(f"« {text} » : une date ou une période de deux dates.")
    written = []
    for part in parts:
        if ISO_DATE_TEXT.fullmatch(part):
            written.append(part)
        else:
            try:
                written.append(parse_date(part).isoformat())
            except ValueRefused:
                raise ValueRefused(
                    f"« {text} » : la période s'écrit AAAA-MM-JJ ou AAAA-MM-JJ/AAAA-MM-JJ."
                ) from None
    return "/".join(written)


def parse_yes_no(value):
    folded = _fold(clean_text(value))
    if folded == "oui":
        return True
    if folded == "non":
        return False
    raise ValueRefused(f"« {clean_text(value)} » : la notification UE vaut « oui » ou « non ».")


def parse_rae(value):
    text = clean_text(value)
    if len(text) > RAE_MAX_LENGTH:
        raise ValueRefused(f"« {text} » : l'identifiant RAE compte au plus 5 caractères.")
    return text


def parse_year(value):
    text = _compact(value)
    if isinstance(value, int) or re.fullmatch(r"\d{4}", text):
        year = int(text)
        if 2000 <= year <= 2100:
            return year
    raise ValueRefused(f"« {clean_text(value)} » : l'exercice s'écrit sur quatre chiffres.")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def format_decimal(value):
    """« 66000.00 », « 0.45 », « 1 »: a decimal point, no thousands separator."""
    return format(Decimal(value), "f")


def format_period(dates):
    """One date, or the first and the last joined by « / »."""
    dates = sorted(set(dates))
    if len(dates) == 1:
        return dates[0].isoformat()
    return f"{dates[0].isoformat()}/{dates[-1].isoformat()}"


def plain_text(value):
    """Text as published: one line, no leading character a spreadsheet would run as a formula."""
    text = re.sub(r"[\r\n\t]+", " ", str(value or "")).strip()
    while text.startswith(FORMULA_START):
        text = text[1:].lstrip()
    return text


def shorten(text, limit=OBJECT_MAX_LENGTH):
    """At most `limit` characters, cut at a word with « … » when too long."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


@dataclass(frozen=True)
class Check:
    column: str
    message: str


def check_row(row):
    """The schema's rules on one row about to be written (a dict of the 16 columns).

    Returns the list of problems; an empty list means the row is valid, custom checks included
    (SIRET Luhn values, idBeneficiaire or rnaBeneficiaire)."""
    problems = []
    for column in REQUIRED:
        if not row.get(column):
            problems.append(Check(column, f"{LABELS[column]} manquant"))
    for column in ("idAttribuant", "idBeneficiaire"):
        if row.get(column):
            try:
                parse_siret(row[column])
            except ValueRefused as error:
                problems.append(Check(column, str(error)))
    if row.get("rnaBeneficiaire") and not RNA_PATTERN.fullmatch(row["rnaBeneficiaire"]):
        problems.append(Check("rnaBeneficiaire", "RNA invalide"))
    if not row.get("idBeneficiaire") and not row.get("rnaBeneficiaire"):
        problems.append(Check("idBeneficiaire", "le bénéficiaire n'a ni SIRET ni numéro RNA"))
    if len(row.get("objet") or "") > OBJECT_MAX_LENGTH:
        problems.append(Check("objet", "objet de plus de 256 caractères"))
    if row.get("datesPeriodeVersement") and not PERIOD_PATTERN.fullmatch(
        row["datesPeriodeVersement"]
    ):
        problems.append(Check("datesPeriodeVersement", "période de versement mal écrite"))
    return problems
