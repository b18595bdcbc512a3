"""What each convention calls for and when (seed SCS art. 6.2): the required kinds, their due
dates and state, and the renewal check of art. 5.4.

Reads that serve lists of conventions work on querysets prepared by `with_justificatif_data()`,
so their query count does not grow with the number of conventions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from conventions.justificatifs.uploads import IMAGE, OFFICE, PDF, allowed_label
from conventions.models import Convention, Justificatif
from conventions.obligations import convention_obligations
from grants.models import Grant
from grants.rules import CONVENTION_THRESHOLD, convention_required

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


def formats_label(kind):
    return allowed_label(KIND_FORMATS[kind])


# The association hands in its justificatifs once the convention is signed by both parties and
# until its balance is paid.
UPLOAD_STATUSES = {
    Convention.Status.SIGNED_AUTHORITY,
    Convention.Status.NOTIFIED,
    Convention.Status.IN_EXECUTION,
}
# Conventions whose justificatifs are owed (for reminders, the manager's list and art. 5.4).
OWING_STATUSES = UPLOAD_STATUSES | {Convention.Status.CLOSED}


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


def kind_rows(convention, year=None):
    """Every kind for one convention: required ones first, then the optional ones, each with its
    current piece and its history (newest first); of one year when given (a CPO's pieces are
    owed every year). One query for the justificatifs."""
    required = list(convention.required_justificatif_kinds)
    by_kind = {}
    justificatifs = convention.justificatifs.select_related("uploaded_by", "reviewed_by")
    if year is not None:
        justificatifs = justificatifs.filter(year=year)
    for justificatif in justificatifs.order_by("-uploaded_at", "-pk"):
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


# ---- renewal: the grants of previous years, imported ones included ---------------------------

PREVIOUS_GRANTS_SHOWN = 10


@dataclass
class PreviousGrant:
    grant: Grant
    has_convention: bool

    @property
    def is_imported(self):
        return getattr(self.grant, "imported_record", None) is not None

    @property
    def decision_reference(self):
        """The deliberation's number, or the referenceDecision of the imported file."""
        if self.grant.deliberation_id:
            return f"n° {self.grant.deliberation.number}"
        if self.is_imported:
            return self.grant.imported_record.decision_reference
        return ""

    @property
    def untracked(self):
        """An imported grant above 23 000 € with no convention in the application: its
        justificatifs were owed (loi 2000-321 art. 10) but nobody tracks them here."""
        return (
            self.is_imported and not self.has_convention and convention_required(self.grant.amount)
        )


def _previous_grants(association, user, before_year):
    queryset = Grant.objects.visible_to(user) if user is not None else Grant.objects
    queryset = queryset.filter(association=association)
    if before_year:
        queryset = queryset.filter(year__lt=before_year)
    return queryset.select_related("deliberation", "imported_record").annotate(
        any_convention=covered_by_a_convention()
    )


def covered_by_a_convention():
    """A convention of the application covers the grant when it carries it, or when the
    authority drew one up for the association and year (the import could not link them).

    Two EXISTS, each read through an index (the convention-grant pairs by grant, the
    association's conventions). One EXISTS over conventions LEFT JOIN their grants with the OR
    inside walked every convention for every grant (70 ms a grant at "large")."""
    carried = Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))
    same_year = Convention.objects.filter(
        authority_id=OuterRef("authority_id"),
        association_id=OuterRef("association_id"),
        year=OuterRef("year"),
    )
    return Q(Exists(carried)) | Q(Exists(same_year))


def previous_grants(association, *, user=None, before_year=None, limit=PREVIOUS_GRANTS_SHOWN):
    """The association's most recent grants before `before_year`, imported ones included, each
    with its decision reference (1 query)."""
    if association is None:
        return []
    rows = _previous_grants(association, user, before_year).order_by("-year", "-pk")[:limit]
    return [PreviousGrant(grant, grant.any_convention) for grant in rows]


def imported_grant_warnings(association, *, user=None, before_year=None):
    """Imported grants of previous years above 23 000 € for which the application holds no
    convention, hence no justificatifs: the art. 5.4 check cannot tell whether they were handed
    in, the instructor must (a warning, not a refusal). 1 query."""
    if association is None:
        return []
    rows = (
        _previous_grants(association, user, before_year)
        .filter(
            imported_record__isnull=False,
            amount__gt=CONVENTION_THRESHOLD,
            any_convention=False,
        )
        .order_by("-year", "-pk")
    )
    return [PreviousGrant(grant, False) for grant in rows]
