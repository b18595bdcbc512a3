"""Validators for French identifiers, with the messages a user can act on."""

import datetime
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


# Letters, digits, ". - / _" and spaces: a reference number is printed in PDF footers, file
# names and mail subjects, so no newline, quote, parenthesis or other punctuation.
REFERENCE_NUMBER_PATTERN = re.compile(r"\A[\w./ -]*\Z")


def validate_reference_number(value):
    if not REFERENCE_NUMBER_PATTERN.match(value or ""):
        raise ValidationError(
            "Le numéro ne peut contenir que des lettres, des chiffres, des espaces et les signes "
            "« . », « - », « / » et « _ » (ni retour à la ligne, ni guillemet, ni parenthèse).",
            code="invalid_number",
        )


# Dates typed in forms and filters: years 0001 or 9999 are valid for Python but break the date
# arithmetic that follows (due dates six months later, deadlines, time zones).
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)


def validate_plausible_date(value):
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        raise ValidationError(
            "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100.",
            code="date_out_of_range",
        )


def with_plausible_dates(form_class):
    """Class decorator: every date field of the form refuses dates outside 1900–2100."""
    from django import forms

    for field in form_class.base_fields.values():
        if isinstance(field, forms.DateField) and validate_plausible_date not in field.validators:
            field.validators.append(validate_plausible_date)
    return form_class


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
