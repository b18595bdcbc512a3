"""The @ctes identifier of an act transmitted to the prefecture (contrôle de légalité).

It reads DEPT-SIREN-YYYYMMDD-INTERNALNUMBER-NATURE, e.g. 042-244200770-20240613-D20240034410-DE.
The acknowledgement printed on the register shows the transmitted file's name instead,
99_DE-042-244200770-20240613-D20240034410: both spellings are accepted.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

DELIBERATION_NATURE = "DE"
NATURES = {
    "DE": "délibération",
    "AR": "arrêté réglementaire",
    "AI": "arrêté individuel",
    "CC": "contrat, convention ou avenant",
    "BF": "document budgétaire ou financier",
    "AU": "autre acte",
}

_DEPT = r"(?P<department>[0-9]{2}[0-9AB])"
_BODY = _DEPT + r"-(?P<siren>[0-9]{9})-(?P<date>[0-9]{8})-(?P<internal>[A-Z0-9_]{1,15})"
CANONICAL = re.compile(rf"^{_BODY}-(?P<nature>[A-Z]{{2}})$")
FILE_NAME = re.compile(rf"^(?:[0-9]{{2}}_)?(?P<nature>[A-Z]{{2}})-{_BODY}$")

EXAMPLE = "042-244200770-20240613-D20240034410-DE"
EXAMPLE_FILE = "99_DE-042-244200770-20240613-D20240034410"


@dataclass(frozen=True)
class ActesIdentifier:
    department: str
    siren: str
    date: datetime.date
    internal_number: str
    nature: str


def normalize(value):
    """Remove spaces and the backslashes a copy from a Markdown or PDF text may add."""
    return re.sub(r"[\s\\]", "", value or "").upper()


def parse(value):
    """The parts of an @ctes identifier; a French ValidationError when it is malformed."""
    text = normalize(value)
    match = CANONICAL.match(text) or FILE_NAME.match(text)
    if not match:
        raise ValidationError(
            f"L'identifiant @ctes « {value} » est mal formé : il s'écrit "
            f"DÉPARTEMENT-SIREN-AAAAMMJJ-NUMÉRO-NATURE (ex. {EXAMPLE}), ou tel que l'accusé de "
            f"réception l'imprime ({EXAMPLE_FILE}).",
            code="actes_format",
        )
    raw_date = match["date"]
    try:
        date = datetime.datetime.strptime(raw_date, "%Y%m%d").date()
    except ValueError:
        raise ValidationError(
            f"La date {raw_date[6:]}/{raw_date[4:6]}/{raw_date[:4]} de l'identifiant @ctes "
            "n'existe pas.",
            code="actes_date_invalid",
        ) from None
    return ActesIdentifier(
        department=match["department"],
        siren=match["siren"],
        date=date,
        internal_number=match["internal"],
        nature=match["nature"],
    )


def mismatches(identifier, *, authority, decision_date):
    """French messages for each part that contradicts the authority or the session.

    `identifier` is a parsed ActesIdentifier. An empty list means the identifier is consistent.
    """
    problems = []
    if identifier.nature != DELIBERATION_NATURE:
        label = NATURES.get(identifier.nature, "nature inconnue")
        problems.append(
            f"La nature de l'acte dans l'identifiant @ctes est « {identifier.nature} » ({label}) "
            f": une délibération a la nature {DELIBERATION_NATURE}."
        )
    if authority.department_code and identifier.department != authority.department_code:
        problems.append(
            f"Le département de l'identifiant @ctes ({identifier.department}) n'est pas celui de "
            f"{authority.name} ({authority.department_code})."
        )
    if identifier.siren != authority.siren:
        problems.append(
            f"Le SIREN de l'identifiant @ctes ({identifier.siren}) n'est pas celui de "
            f"{authority.name} ({authority.siren})."
        )
    if decision_date is not None and identifier.date != decision_date:
        problems.append(
            f"La date de l'identifiant @ctes ({identifier.date:%d/%m/%Y}) n'est pas celle de la "
            f"séance ({decision_date:%d/%m/%Y})."
        )
    return problems


def internal_number_cites(identifier, deliberation_number):
    """Whether the internal number carries the deliberation's number (2024.00344 → D20240034410).

    Authorities number their acts as they wish, so a mismatch is only worth a warning.
    """
    digits = re.sub(r"\D", "", deliberation_number or "")
    return bool(digits) and digits in identifier.internal_number
