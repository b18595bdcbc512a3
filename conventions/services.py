"""Writes on conventions: each lifecycle step is one function that checks who may do it, refuses
an illegal transition with a clear French message, and records who and when."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from conventions import pdf
from conventions.files import sha256_of
from conventions.justificatifs.uploads import PDF, inspect_upload
from conventions.models import Amendment, Convention, ConventionEvent
from conventions.multiyear import check_grants, check_year, period_years
from conventions.readiness import READY, SIGN_ASSOCIATION, SIGN_AUTHORITY, readiness
from conventions.readiness import require as require_checklist
from grants import rules
from grants.access import can_prepare, can_record_association_signature, require
from grants.files import atomic_with_files
from grants.queries import locked

Status = Convention.Status

# Who may act (the role checks of every step).


def _require_status(convention, allowed, action):
    if convention.status not in allowed:
        expected = " ou ".join(f"« {Status(s).label} »" for s in allowed)
        raise ValidationError(
            f"Impossible de {action} : la convention est « {convention.get_status_display()} » "
            f"(il faut qu'elle soit {expected})."
        )


def _check_date(value, label):
    if value is None:
        raise ValidationError(f"Indiquez la date {label}.")
    if value > timezone.localdate():
        raise ValidationError(f"La date {label} ne peut pas être dans le futur.")


# ---- amounts ---------------------------------------------------------------------------------


def refresh_amount(convention):
    """Store the grants ± amendments total on the row, for lists to filter and sort on."""
    grants = convention.grants.aggregate(total=Sum("amount"))["total"] or 0
    changes = convention.amendments.aggregate(total=Sum("amount_change"))["total"] or 0
    total = rules.to_money(grants + changes)
    Convention.objects.filter(pk=convention.pk).update(amount_total=total)
    convention.amount_total = total
    return total


# ---- creation and edition --------------------------------------------------------------------


@transaction.atomic
def convention_create(*, user, authority, association, template, grants, **fields):
    require(can_prepare(user) and (user.is_platform_admin or user.authority_id == authority.pk))
    convention = Convention(
        authority=authority,
        association=association,
        template=template,
        template_version=template.version,
        created_by=user,
        **fields,
    )
    convention.full_clean(exclude=["grants"])
    check_grants(period_years(convention.kind, convention.year, convention.end_year), grants)
    convention.save()
    convention.grants.set(grants)
    refresh_amount(convention)
    ConventionEvent.record(convention, user, "Convention créée")
    return convention


def convention_update(*, user, convention, form):
    """Save the edit form of a draft (the form carries the fields and the grants)."""
    require(can_prepare(user, convention))
    _require_status(convention, [Status.DRAFT], "modifier la convention")
    with transaction.atomic():
        convention = form.save()
        check_grants(convention.years, convention.grants.all())
        refresh_amount(convention)
        ConventionEvent.record(convention, user, "Convention modifiée")
    return convention


def annex_saved(*, user, convention, label):
    require(can_prepare(user, convention))
    _require_status(convention, [Status.DRAFT], "modifier les annexes")
    Convention.objects.filter(pk=convention.pk).update(updated_at=timezone.now())
    ConventionEvent.record(convention, user, f"{label} modifiée")


# ---- the PDF ---------------------------------------------------------------------------------


DOUBLE_SUBMIT_WINDOW = datetime.timedelta(seconds=30)


def _just_generated(convention):
    return (
        bool(convention.pdf_file)
        and not convention.pdf_is_stale
        and convention.pdf_generated_at is not None
        and timezone.now() - convention.pdf_generated_at < DOUBLE_SUBMIT_WINDOW
    )


def generate_pdf(*, user, convention):
    """(Re)generate the PDF: staff only, and only while no party has signed."""

    require(can_prepare(user, convention))
    _require_status(convention, [Status.DRAFT, Status.READY], "régénérer le PDF")
    with atomic_with_files() as files:
        convention = locked(convention)
        _require_status(convention, [Status.DRAFT, Status.READY], "régénérer le PDF")
        if _just_generated(convention):
            # A double click (or a second tab) asked again for the PDF just made from the
            # same data: the file is current, do not render it twice.
            return convention
        pdf.store_convention_pdf(convention, user, files)
        ConventionEvent.record(convention, user, "PDF généré")
    return convention


def upload_signed_copy(*, user, convention, upload):
    """The scan of the signed convention becomes the reference copy."""

    require(can_prepare(user, convention))
    _require_status(
        convention,
        [Status.SIGNED_ASSOCIATION, Status.SIGNED_AUTHORITY, Status.NOTIFIED, Status.IN_EXECUTION],
        "déposer l'exemplaire signé",
    )
    inspect_upload(upload, {PDF})  # the same content checks as the justificatifs
    with atomic_with_files() as files:
        convention = locked(convention)
        convention.signed_sha256 = sha256_of(upload)
        files.save(convention.signed_file, f"convention-{convention.pk}-signee.pdf", upload)
        convention.signed_uploaded_at = timezone.now()
        convention.signed_uploaded_by = user
        convention.save()
        ConventionEvent.record(convention, user, "Exemplaire signé déposé")
    return convention


# ---- lifecycle -------------------------------------------------------------------------------


@transaction.atomic
def mark_ready(*, user, convention):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.DRAFT], "la déclarer prête pour signature")
    require_checklist(readiness(convention, READY), "la déclarer prête pour signature")
    previous = convention.status
    convention.status = Status.READY
    convention.ready_at = timezone.now()
    convention.ready_by = user
    convention.save(update_fields=["status", "ready_at", "ready_by", "updated_at"])
    ConventionEvent.record(convention, user, "Déclarée prête pour signature", previous)
    return convention


@transaction.atomic
def back_to_draft(*, user, convention):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.READY], "la remettre en brouillon")
    previous = convention.status
    convention.status = Status.DRAFT
    convention.save(update_fields=["status", "updated_at"])
    ConventionEvent.record(convention, user, "Remise en brouillon pour correction", previous)
    return convention


@transaction.atomic
def record_association_signature(*, user, convention, signer_name, signed_on):
    require(can_record_association_signature(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.READY], "enregistrer la signature de l'association")
    require_checklist(
        readiness(convention, SIGN_ASSOCIATION), "enregistrer la signature de l'association"
    )
    if not (signer_name or "").strip():
        raise ValidationError("Indiquez le nom du signataire pour l'association.")
    _check_date(signed_on, "de signature par l'association")
    previous = convention.status
    convention.status = Status.SIGNED_ASSOCIATION
    convention.association_signed_at = signed_on
    convention.association_signer_name = signer_name.strip()
    convention.association_signature_recorded_by = user
    convention.save()
    ConventionEvent.record(
        convention, user, f"Signée par l'association ({signer_name.strip()})", previous
    )
    return convention


@transaction.atomic
def record_authority_signature(*, user, convention, signer_name, signed_on):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(
        convention, [Status.SIGNED_ASSOCIATION], "enregistrer la signature de la collectivité"
    )
    require_checklist(
        readiness(convention, SIGN_AUTHORITY), "enregistrer la signature de la collectivité"
    )
    if not (signer_name or "").strip():
        raise ValidationError("Indiquez le nom du signataire pour la collectivité.")
    _check_date(signed_on, "de signature par la collectivité")
    if signed_on < convention.association_signed_at:
        raise ValidationError(
            "La collectivité ne peut pas avoir signé avant l'association "
            f"(signature de l'association le {convention.association_signed_at:%d/%m/%Y})."
        )
    previous = convention.status
    convention.status = Status.SIGNED_AUTHORITY
    convention.authority_signed_at = signed_on
    convention.authority_signer_name = signer_name.strip()
    convention.authority_signature_recorded_by = user
    convention.save()
    ConventionEvent.record(
        convention, user, f"Signée par la collectivité ({signer_name.strip()})", previous
    )
    return convention


@transaction.atomic
def notify(*, user, convention, notified_on):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.SIGNED_AUTHORITY], "notifier la convention")
    _check_date(notified_on, "de notification")
    if notified_on < convention.authority_signed_at:
        raise ValidationError(
            "La notification ne peut pas précéder la signature de la collectivité."
        )
    previous = convention.status
    convention.status = Status.NOTIFIED
    convention.notified_at = notified_on
    convention.notified_by = user
    convention.save()
    ConventionEvent.record(convention, user, "Notifiée à l'association", previous)
    return convention


@transaction.atomic
def start_execution(*, user, convention, started_on=None):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.NOTIFIED], "passer la convention en exécution")
    previous = convention.status
    convention.status = Status.IN_EXECUTION
    convention.execution_started_at = started_on or timezone.localdate()
    convention.save()
    ConventionEvent.record(convention, user, "En exécution", previous)
    return convention


@transaction.atomic
def close(*, user, convention, closed_on=None):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, [Status.IN_EXECUTION], "solder la convention")
    previous = convention.status
    convention.status = Status.CLOSED
    convention.closed_at = closed_on or timezone.localdate()
    convention.save()
    ConventionEvent.record(convention, user, "Soldée", previous)
    return convention


TERMINABLE = [
    Status.SIGNED_ASSOCIATION,
    Status.SIGNED_AUTHORITY,
    Status.NOTIFIED,
    Status.IN_EXECUTION,
]


@transaction.atomic
def terminate(*, user, convention, reason, terminated_on=None):
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, TERMINABLE, "résilier la convention")
    if not (reason or "").strip():
        raise ValidationError("Indiquez le motif de la résiliation (art. 8 de la convention).")
    previous = convention.status
    convention.status = Status.TERMINATED
    convention.terminated_at = terminated_on or timezone.localdate()
    convention.termination_reason = reason.strip()
    convention.save()
    ConventionEvent.record(convention, user, "Résiliée", previous)
    return convention


# ---- amendments ------------------------------------------------------------------------------

AMENDABLE = [Status.SIGNED_AUTHORITY, Status.NOTIFIED, Status.IN_EXECUTION]


@transaction.atomic
def amendment_create(
    *,
    user,
    convention,
    signed_at: datetime.date,
    reason,
    amount_change=0,
    deliberation=None,
    new_start_date=None,
    new_end_date=None,
    year=None,
):
    """An avenant changes the amount and/or the dates; the values it replaces are kept. For a
    CPO, the amount changed is the one of a year (by default the first)."""
    require(can_prepare(user, convention))
    convention = locked(convention)
    _require_status(convention, AMENDABLE, "enregistrer un avenant")
    year = check_year(convention, year) if convention.is_multi_year else None
    amount_change = rules.to_money(amount_change or 0)
    if not amount_change and new_start_date is None and new_end_date is None:
        raise ValidationError("Un avenant doit modifier le montant ou les dates de la convention.")
    if deliberation is not None and deliberation.authority_id != convention.authority_id:
        raise ValidationError("La délibération de l'avenant doit être de la même collectivité.")
    previous_amount = convention.amount
    new_amount = previous_amount + amount_change
    if new_amount <= 0:
        raise ValidationError(
            f"Après l'avenant, le montant serait de {new_amount} € : il doit rester positif."
        )
    if year is not None and convention.amount_for_year(year) + amount_change < 0:
        raise ValidationError(
            f"Après l'avenant, le montant de l'exercice {year} serait négatif "
            f"({convention.amount_for_year(year) + amount_change} €)."
        )
    start = new_start_date or convention.start_date
    end = new_end_date or convention.end_date
    if start and end and end < start:
        raise ValidationError("Après l'avenant, la fin de la convention précéderait son début.")
    number = convention.amendments.count() + 1
    amendment = Amendment.objects.create(
        convention=convention,
        number=number,
        year=year,
        deliberation=deliberation,
        signed_at=signed_at,
        reason=reason,
        amount_change=amount_change,
        previous_amount=previous_amount,
        new_amount=new_amount,
        previous_start_date=convention.start_date,
        previous_end_date=convention.end_date,
        new_start_date=new_start_date,
        new_end_date=new_end_date,
        created_by=user,
    )
    convention.start_date, convention.end_date = start, end
    convention.save(update_fields=["start_date", "end_date", "updated_at"])
    refresh_amount(convention)
    ConventionEvent.record(convention, user, f"Avenant n° {number} enregistré")
    return amendment
