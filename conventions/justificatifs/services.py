"""Justificatifs (seed SCS art. 6.2, 6.3 and 7): what each convention calls for, the uploads of
the association's managers, the review by the authority's instructors, and the renewal check of
art. 5.4.

Writes are service functions that check who may act (PermissionDenied), refuse an illegal step
with a clear French message (ValidationError) and record who and when. Reads that serve lists
of conventions work on querysets prepared by `with_justificatif_data()`, so their query count does
not grow with the number of conventions.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conventions.files import sha256_of
from conventions.justificatifs.due import KIND_FORMATS, UPLOAD_STATUSES
from conventions.justificatifs.uploads import display_name, inspect_upload
from conventions.models import Convention, ConventionEvent, Justificatif
from conventions.multiyear import check_year, default_justificatif_year
from conventions.notifications import services as notifications
from grants.access import can_review, can_upload, require
from grants.files import atomic_with_files
from grants.queries import locked

Kind = Justificatif.Kind
Status = Justificatif.Status

# ---- who may act -----------------------------------------------------------------------------


# ---- upload ----------------------------------------------------------------------------------


def justificatif_upload(*, user, convention, kind, upload, year=None):
    """The association hands in one justificatif; it becomes the current one of its kind (and
    year: a CPO has justificatifs per year, by default the earliest year not justified)."""
    require(
        can_upload(user, convention),
        "Seul un gestionnaire de l'association dépose ses justificatifs.",
    )
    if kind not in Kind.values:
        raise ValidationError("Type de justificatif inconnu.")
    if convention.status not in UPLOAD_STATUSES:
        raise ValidationError(
            f"La convention est « {convention.get_status_display()} » : les justificatifs se "
            "déposent une fois la convention signée par les deux parties, jusqu'au versement du "
            "solde."
        )
    detected = inspect_upload(upload, KIND_FORMATS[kind])
    digest = sha256_of(upload)
    with atomic_with_files() as files:
        # One upload at a time per convention: the previous current one is replaced in order.
        convention = (
            Convention.objects.select_for_update(of=("self",))
            .select_related("association", "authority")
            .get(pk=convention.pk)
        )
        if convention.is_multi_year:
            year = check_year(convention, year) if year else default_justificatif_year(convention)
        else:
            year = convention.year
        current = (
            Justificatif.objects.select_for_update()
            .filter(convention=convention, year=year, kind=kind, is_current=True)
            .first()
        )
        _check_replaceable(convention, kind, current, digest, year)
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        justificatif = Justificatif(
            convention=convention,
            kind=kind,
            year=year,
            original_name=display_name(upload.name, detected),
            content_type=detected.content_type,
            size=upload.size,
            sha256=digest,
            due_date=convention.justificatifs_due_date_for(year),
            uploaded_by=user,
            uploaded_at=timezone.now(),
        )
        files.save(justificatif.file, "upload", upload)
        justificatif.save()
        ConventionEvent.record(
            convention, user, f"Justificatif déposé : {justificatif.get_kind_display()}"
        )
        # The instructors are told (screen and mail) once the upload is committed.
        transaction.on_commit(partial(notifications.justificatif_submitted, justificatif))
    return justificatif


def _check_replaceable(convention, kind, current, digest, year=None):
    label = Kind(kind).label
    if current is not None and current.status == Status.ACCEPTED:
        target = f"l'exercice {year}" if convention.is_multi_year else "cette convention"
        raise ValidationError(
            f"« {label} » est déjà accepté pour {target} : il n'est plus à déposer."
        )
    same = (
        Justificatif.objects.filter(
            convention=convention, kind=kind, sha256=digest, status=Status.REJECTED
        )
        .order_by("-reviewed_at")
        .first()
    )
    if same is not None:
        refused_on = timezone.localdate(same.reviewed_at)
        raise ValidationError(
            f"Ce fichier est identique à celui refusé le {refused_on:%d/%m/%Y} "
            f"(motif : {same.rejection_reason}). Déposez la version corrigée."
        )


# ---- review ----------------------------------------------------------------------------------


def _require_reviewable(justificatif, action):
    if not justificatif.is_current:
        raise ValidationError(
            f"Impossible de {action} : une version plus récente de cette pièce a été déposée."
        )
    if justificatif.status != Status.SUBMITTED:
        raise ValidationError(
            f"Impossible de {action} : la pièce est déjà « {justificatif.get_status_display()} »."
        )


@transaction.atomic
def justificatif_accept(*, user, justificatif):
    justificatif = locked(justificatif, "convention__association", "convention__authority")
    convention = justificatif.convention
    require(
        can_review(user, convention),
        "Seul un agent instructeur de la collectivité examine les justificatifs.",
    )
    _require_reviewable(justificatif, "l'accepter")
    justificatif.status = Status.ACCEPTED
    justificatif.reviewed_by = user
    justificatif.reviewed_at = timezone.now()
    justificatif.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    ConventionEvent.record(
        convention, user, f"Justificatif accepté : {justificatif.get_kind_display()}"
    )
    # The association's managers are told (screen and mail) once the review is committed.
    transaction.on_commit(partial(notifications.justificatif_reviewed, justificatif))
    return justificatif


@transaction.atomic
def justificatif_reject(*, user, justificatif, reason):
    justificatif = locked(justificatif, "convention__association", "convention__authority")
    convention = justificatif.convention
    require(
        can_review(user, convention),
        "Seul un agent instructeur de la collectivité examine les justificatifs.",
    )
    _require_reviewable(justificatif, "la refuser")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError(
            {"reason": "Indiquez le motif du refus : l'association le lit pour corriger sa pièce."}
        )
    justificatif.status = Status.REJECTED
    justificatif.rejection_reason = reason
    justificatif.reviewed_by = user
    justificatif.reviewed_at = timezone.now()
    justificatif.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    ConventionEvent.record(
        convention, user, f"Justificatif refusé : {justificatif.get_kind_display()}"
    )
    # The association's managers are told (screen and mail) once the review is committed.
    transaction.on_commit(partial(notifications.justificatif_reviewed, justificatif))
    return justificatif
