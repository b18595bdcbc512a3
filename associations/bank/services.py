"""Writes of bank details: submit (with the RIB), validate, refuse."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)

from associations.models import BankDetails
from conventions.justificatifs.uploads import IMAGE, PDF, display_name, inspect_upload
from grants.access import can_submit_bank_details, can_validate_bank_details, require
from grants.files import atomic_with_files
from grants.queries import locked

RIB_FORMATS = {PDF, IMAGE}


def _expected_iban_length(compact):
    """The length of an IBAN of that country (27 for FR), or None for an unknown country.
    python-stdnum checks the key before the length: asked first, the message says what is wrong."""
    info = stdnum_iban._ibandb.info(compact)  # the IBAN registry stdnum ships
    structure = info[0][1].get("bban") if info and info[0][1] else None
    if structure is None:
        return None
    return 4 + sum(int(n) for n in re.findall(r"(\d+)!?[nac]", structure))


def clean_iban(value):
    """The IBAN without spaces, in capitals, checked (country, length, key, format)."""
    compact = stdnum_iban.compact(value or "")
    if not compact:
        raise ValidationError("Indiquez l'IBAN.", code="required")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", compact):
        raise ValidationError(
            "IBAN invalide : il commence par le code du pays (FR…) et sa clé, puis ne contient "
            "que des lettres et des chiffres.",
            code="iban_format",
        )
    expected = _expected_iban_length(compact)
    if expected is None:
        raise ValidationError(
            f"IBAN invalide : « {compact[:2]} » n'est pas un code de pays de la zone IBAN.",
            code="iban_country",
        )
    if len(compact) != expected:
        raise ValidationError(
            f"IBAN invalide : un IBAN de ce pays compte {expected} caractères, celui-ci en "
            f"compte {len(compact)}.",
            code="iban_length",
        )
    try:
        return stdnum_iban.validate(compact)
    except InvalidChecksum as error:
        raise ValidationError(
            "IBAN invalide : la clé de contrôle ne correspond pas. Vérifiez-le sur le RIB.",
            code="iban_checksum",
        ) from error
    except (InvalidFormat, InvalidComponent, InvalidLength) as error:
        raise ValidationError(
            "IBAN invalide : sa forme ne correspond pas à celle des IBAN de ce pays.",
            code="iban_format",
        ) from error
    except StdnumError as error:
        raise ValidationError("IBAN invalide.", code="iban") from error


def clean_bic(value):
    """The BIC without spaces, in capitals, checked (8 or 11 characters)."""
    compact = stdnum_bic.compact(value or "")
    if not compact:
        raise ValidationError("Indiquez le BIC.", code="required")
    try:
        return stdnum_bic.validate(compact)
    except InvalidLength as error:
        raise ValidationError(
            "BIC invalide : il compte 8 ou 11 caractères.", code="bic_length"
        ) from error
    except StdnumError as error:
        raise ValidationError(
            "BIC invalide : 4 lettres pour la banque, 2 pour le pays, puis 2 ou 5 lettres ou "
            "chiffres.",
            code="bic_format",
        ) from error


def bank_details_submit(*, association, user, iban, bic, holder, rib):
    """New bank details with the RIB, pending until staff validate them."""
    require(
        can_submit_bank_details(user, association),
        "Seuls les gestionnaires de l'association et ses agents instructeurs déclarent ses "
        "coordonnées bancaires.",
    )
    errors, cleaned = {}, {}
    for field, clean, value in [("iban", clean_iban, iban), ("bic", clean_bic, bic)]:
        try:
            cleaned[field] = clean(value)
        except ValidationError as error:
            errors[field] = error.messages
    holder = (holder or "").strip()
    if not holder:
        errors["holder"] = ["Indiquez le titulaire du compte, tel qu'il figure sur le RIB."]
    if rib is None:
        errors["rib"] = ["Joignez le RIB (PDF ou image)."]
    else:
        try:
            detected = inspect_upload(rib, RIB_FORMATS)
        except ValidationError as error:
            errors["rib"] = error.messages
    if errors:
        raise ValidationError(errors)
    with atomic_with_files() as files:
        association = locked(association, "authority")
        if BankDetails.objects.pending().filter(association=association).exists():
            raise ValidationError(
                "Un changement de coordonnées bancaires est déjà en attente de validation : "
                "attendez la décision de la collectivité."
            )
        details = BankDetails(
            association=association,
            iban=cleaned["iban"],
            bic=cleaned["bic"],
            holder=holder,
            rib_name=display_name(rib.name, detected),
            rib_content_type=detected.content_type,
            requested_by=user,
            requested_at=timezone.now(),
        )
        rib.seek(0)
        files.save(details.rib_file, f"rib-{association.pk}{detected.extension}", rib)
        details.save()
    return details


def _decide(details, user, status, reason=""):
    with atomic_with_files():
        details = locked(details, "association")
        require(
            can_validate_bank_details(user, details),
            "Seul un agent instructeur de la collectivité, autre que celui qui les a saisies, "
            "valide les coordonnées bancaires.",
        )
        if details.status != BankDetails.Status.PENDING:
            raise ValidationError(
                f"Ces coordonnées bancaires sont déjà examinées ({details.get_status_display()})."
            )
        details.status = status
        details.refusal_reason = reason
        details.decided_by = user
        details.decided_at = timezone.now()
        details.save()
    return details


def bank_details_validate(details, user):
    """Staff checked the details against the RIB: they are in force from now on."""
    return _decide(details, user, BankDetails.Status.VALIDATED)


def bank_details_refuse(details, user, *, reason):
    """Staff refuse the details (they do not match the RIB); the previous ones stay in force."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    return _decide(details, user, BankDetails.Status.REFUSED, reason)
