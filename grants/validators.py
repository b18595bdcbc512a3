"""Validators for French identifiers, with the messages a user can act on."""

import re
import string

from django.core.exceptions import ValidationError
from stdnum.fr import siren, siret

RNA_PATTERN = re.compile(r"^W\d{9}$")


def _digits(value):
    return re.sub(r"[\s.]", "", value or "")


def validate_siren(value):
    number = _digits(value)
    if not re.fullmatch(r"\d{9}", number):
        raise ValidationError("Un SIREN compte exactement 9 chiffres.", code="siren_format")
    if not siren.is_valid(number):
        raise ValidationError(
            "Ce SIREN n'est pas valide (clé de contrôle incorrecte) : vérifiez-le sur l'avis de "
            "situation INSEE.",
            code="siren_checksum",
        )


def validate_siret(value):
    number = _digits(value)
    if not re.fullmatch(r"\d{14}", number):
        raise ValidationError("Un SIRET compte exactement 14 chiffres.", code="siret_format")
    if not siret.is_valid(number):
        raise ValidationError(
            "Ce SIRET n'est pas valide (clé de contrôle incorrecte).", code="siret_checksum"
        )


def validate_rna(value):
    if not RNA_PATTERN.fullmatch((value or "").strip().upper()):
        raise ValidationError(
            "Le numéro RNA s'écrit W suivi de 9 chiffres (ex. W133012345).", code="rna_format"
        )


def normalize_identifier(value):
    return _digits(value).upper()


def validate_number_pattern(value):
    """A convention number pattern: Python format fields {year} and {seq} only, {seq} required."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        value.format(year=2026, seq=1)
    except (ValueError, KeyError, IndexError) as error:
        raise ValidationError(f"Modèle de numéro invalide : {error}.") from None
    if set(fields) - {"year", "seq"}:
        raise ValidationError("Seuls {year} et {seq} sont permis dans le modèle de numéro.")
    if "seq" not in fields:
        raise ValidationError("Le modèle de numéro doit contenir {seq} (le rang dans l'année).")
