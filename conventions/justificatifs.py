"""Justificatifs (seed SCS art. 6.2, 6.3 and 7): what each convention calls for, the uploads of
the association's managers, the review by the authority's instructors, and the renewal check of
art. 5.4.

Writes are service functions that check who may act (PermissionDenied), refuse an illegal step
with a clear French message (ValidationError) and record who and when. Reads that serve lists
of conventions work on querysets prepared by `with_justificatif_data()`, so their query count does
not grow with the number of conventions.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from conventions.files import sha256_of
from conventions.models import Convention, ConventionEvent, Justificatif
from conventions.notifications import services as notifications
from conventions.obligations import convention_obligations
from conventions.uploads import IMAGE, OFFICE, PDF, allowed_label, display_name, inspect_upload

Kind = Justificatif.Kind
Status = Justificatif.Status

# What each kind may be. Documents signed by a third party or approved by a vote (accounts,
# auditor's report, minutes, insurance certificate) come as PDF; reports and tables may also be
# office files; the proof of publicity is typically a photograph (art. 7).
KIND_FORMATS = {
    Kind.COMPTES_ANNUELS: {PDF},
    Kind.RAPPORT_CAC: {PDF},
    Kind.RAPPORT_ACTIVITE: {PDF, OFFICE},
    Kind.PV_AG: {PDF},
    Kind.COMPTE_RENDU_FINANCIER: {PDF, OFFICE},
    Kind.ATTESTATION_ASSURANCE: {PDF},
    Kind.PREUVE_PUBLICITE: {PDF, IMAGE, OFFICE},
    Kind.CHANGEMENT_GOUVERNANCE: {PDF, OFFICE},
}

KIND_HELP = {
    Kind.COMPTES_ANNUELS: "Bilan, compte de résultat et annexe de l'exercice, signés par "
    "l'expert-comptable ou le commissaire aux comptes le cas échéant (art. 6.1).",
    Kind.RAPPORT_CAC: "La version détaillée du rapport du commissaire aux comptes (art. 6.2).",
    Kind.RAPPORT_ACTIVITE: "Le rapport d'activité de l'année écoulée (art. 6.2).",
    Kind.PV_AG: "Le procès-verbal de l'assemblée générale approuvant les comptes et le rapport "
    "d'activité (art. 6.2).",
    Kind.COMPTE_RENDU_FINANCIER: "Le compte rendu financier de l'action subventionnée "
    "(Cerfa 15059), signé par le représentant légal.",
    Kind.ATTESTATION_ASSURANCE: "L'attestation d'assurance en responsabilité civile de l'année.",
    Kind.PREUVE_PUBLICITE: "Une photographie ou un support montrant le logo de la collectivité "
    "(art. 7).",
    Kind.CHANGEMENT_GOUVERNANCE: "Nouveaux statuts, composition du conseil d'administration ou "
    "du bureau (art. 6.3).",
}

# The association hands in its justificatifs once the convention is signed by both parties and
# until its balance is paid.
UPLOAD_STATUSES = {
    Convention.Status.SIGNED_AUTHORITY,
    Convention.Status.NOTIFIED,
    Convention.Status.IN_EXECUTION,
}
# Conventions whose justificatifs are owed (for reminders, the manager's list and art. 5.4).
OWING_STATUSES = UPLOAD_STATUSES | {Convention.Status.CLOSED}


def formats_label(kind):
    return allowed_label(KIND_FORMATS[kind])


# ---- who may act -----------------------------------------------------------------------------


def can_upload(user, convention):
    """Only the association's managers hand in its justificatifs."""
    return (
        user.is_authenticated
        and user.is_manager
        and user.managed_associations.filter(pk=convention.association_id).exists()
    )


def can_review(user, convention):
    """Instructors and administrators of the convention's authority review justificatifs."""
    if not user.is_authenticated or not user.can_instruct:
        return False
    return user.is_platform_admin or user.authority_id == convention.authority_id


def _require(allowed, message="Votre rôle ne permet pas cette action."):
    if not allowed:
        raise PermissionDenied(message)


def _log(convention, user, action):
    ConventionEvent.objects.create(convention=convention, user=user, action=action)


# ---- upload ----------------------------------------------------------------------------------


def justificatif_upload(*, user, convention, kind, upload):
    """The association hands in one justificatif; it becomes the current one of its kind."""
    _require(
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
    with transaction.atomic():
        # One upload at a time per convention: the previous current one is replaced in order.
        convention = (
            Convention.objects.select_for_update(of=("self",))
            .select_related("association", "authority")
            .get(pk=convention.pk)
        )
        current = (
            Justificatif.objects.select_for_update()
            .filter(convention=convention, kind=kind, is_current=True)
            .first()
        )
        _check_replaceable(convention, kind, current, digest)
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        justificatif = Justificatif(
            convention=convention,
            kind=kind,
            original_name=display_name(upload.name, detected),
            content_type=detected.content_type,
            size=upload.size,
            sha256=digest,
            due_date=convention.justificatifs_due_date,
            uploaded_by=user,
            uploaded_at=timezone.now(),
        )
        justificatif.file.save("upload", upload, save=False)
        try:
            justificatif.save()
        except Exception:
            justificatif.file.delete(save=False)
            raise
        _log(convention, user, f"Justificatif déposé : {justificatif.get_kind_display()}")
        notifications.justificatif_submitted(justificatif)
    return justificatif


def _check_replaceable(convention, kind, current, digest):
    label = Kind(kind).label
    if current is not None and current.status == Status.ACCEPTED:
        raise ValidationError(
            f"« {label} » est déjà accepté pour cette convention : il n'est plus à déposer."
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


def _lock(justificatif):
    return (
        Justificatif.objects.select_for_update(of=("self",))
        .select_related("convention__association", "convention__authority")
        .get(pk=justificatif.pk)
    )


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
    justificatif = _lock(justificatif)
    convention = justificatif.convention
    _require(
        can_review(user, convention),
        "Seul un agent instructeur de la collectivité examine les justificatifs.",
    )
    _require_reviewable(justificatif, "l'accepter")
    justificatif.status = Status.ACCEPTED
    justificatif.reviewed_by = user
    justificatif.reviewed_at = timezone.now()
    justificatif.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _log(convention, user, f"Justificatif accepté : {justificatif.get_kind_display()}")
    notifications.justificatif_reviewed(justificatif)
    return justificatif


@transaction.atomic
def justificatif_reject(*, user, justificatif, reason):
    justificatif = _lock(justificatif)
    convention = justificatif.convention
    _require(
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
    _log(convention, user, f"Justificatif refusé : {justificatif.get_kind_display()}")
    notifications.justificatif_reviewed(justificatif)
    return justificatif


# ---- what each convention calls for ----------------------------------------------------------


def with_justificatif_data(queryset):
    """Everything `due_state()` reads, in a fixed number of queries whatever the row count."""
    return queryset.select_related("association", "authority", "forecast_budget").prefetch_related(
        "grants",
        "forecast_budget__lines",
        Prefetch(
            "justificatifs",
            queryset=Justificatif.objects.filter(is_current=True),
            to_attr="current_justificatifs",
        ),
    )


def required_kinds(convention):
    """The required kinds, from prefetched data (the stored amount avoids two aggregates)."""
    return convention_obligations(convention, amount=convention.amount_total).required_kinds


@dataclass
class DueItem:
    kind: str
    label: str
    state: str  # "missing", "submitted", "rejected", "accepted"
    justificatif: Justificatif | None = None

    @property
    def to_hand_in(self):
        return self.state in {"missing", "rejected"}


@dataclass
class DueState:
    convention: Convention
    due_date: datetime.date
    today: datetime.date
    items: list = field(default_factory=list)

    @property
    def days_left(self):
        return (self.due_date - self.today).days

    @property
    def to_hand_in(self):
        return [item for item in self.items if item.to_hand_in]

    @property
    def under_review(self):
        return [item for item in self.items if item.state == "submitted"]

    @property
    def not_accepted(self):
        return [item for item in self.items if item.state != "accepted"]

    @property
    def all_accepted(self):
        return not self.not_accepted

    @property
    def is_overdue(self):
        """Past the due date with a required piece still to hand in (a piece under review is
        not the association's delay)."""
        return self.days_left < 0 and bool(self.to_hand_in)


def _state_of(justificatif):
    if justificatif is None:
        return "missing"
    return {
        Status.SUBMITTED: "submitted",
        Status.ACCEPTED: "accepted",
        Status.REJECTED: "rejected",
    }[justificatif.status]


def due_state(convention, today=None):
    """Each required kind of a convention prepared by `with_justificatif_data()`, with its state."""
    today = today or timezone.localdate()
    current = getattr(convention, "current_justificatifs", None)
    if current is None:
        current = list(convention.justificatifs.filter(is_current=True))
    by_kind = {j.kind: j for j in current}
    items = [
        DueItem(kind, Kind(kind).label, _state_of(by_kind.get(kind)), by_kind.get(kind))
        for kind in required_kinds(convention)
    ]
    return DueState(convention, convention.justificatifs_due_date, today, items)


@dataclass
class KindRow:
    kind: str
    label: str
    help: str
    formats: str
    required: bool
    current: Justificatif | None
    history: list

    @property
    def state(self):
        return _state_of(self.current)

    @property
    def can_be_uploaded(self):
        return self.current is None or self.current.status != Status.ACCEPTED


def kind_rows(convention):
    """Every kind for one convention: required ones first, then the optional ones, each with its
    current piece and its history (newest first). One query for the justificatifs."""
    required = list(convention.required_justificatif_kinds)
    by_kind = {}
    for justificatif in convention.justificatifs.select_related(
        "uploaded_by", "reviewed_by"
    ).order_by("-uploaded_at", "-pk"):
        by_kind.setdefault(justificatif.kind, []).append(justificatif)
    kinds = required + [kind for kind in Kind.values if kind not in required]
    rows = []
    for kind in kinds:
        uploads = by_kind.get(kind, [])
        current = next((j for j in uploads if j.is_current), None)
        rows.append(
            KindRow(
                kind=kind,
                label=Kind(kind).label,
                help=KIND_HELP[kind],
                formats=formats_label(kind),
                required=kind in required,
                current=current,
                history=[j for j in uploads if j is not current],
            )
        )
    return rows


# ---- renewal (art. 5.4) ----------------------------------------------------------------------


def renewal_warnings(association, *, user=None, before_year=None, exclude_pk=None, today=None):
    """The previous conventions of an association whose required justificatifs are not all
    accepted: a new grant or convention depends on them (seed SCS art. 5.4)."""
    if association is None:
        return []
    queryset = Convention.objects.visible_to(user) if user is not None else Convention.objects
    queryset = queryset.filter(association=association, status__in=OWING_STATUSES)
    if before_year:
        queryset = queryset.filter(year__lt=before_year)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    states = [
        due_state(convention, today)
        for convention in with_justificatif_data(queryset.order_by("-year", "-pk"))
    ]
    return [state for state in states if not state.all_accepted]
