"""The association manager's home: their associations, conventions, payments and the dated list
of what is due. Read in a fixed number of queries, whatever the number of conventions."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from associations.indicators.models import IndicatorReport, IndicatorSet
from associations.models import Association
from conventions.justificatifs.due import UPLOAD_STATUSES, due_state, with_justificatif_data
from conventions.models import Convention
from conventions.notifications.models import Notification
from grants import rules
from grants.finance.models import Payment
from grants.models import FinancialReport, Grant
from grants.templatetags.fr import euros, percent_short

CONVENTIONS_SHOWN = 20
PAYMENTS_SHOWN = 10
GRANTS_SHOWN = 10


@dataclass
class Task:
    """One line of the manager's to-do list."""

    title: str
    detail: str
    url: str
    action: str
    due: datetime.date | None = None  # None: possible now, no deadline
    overdue: bool = False
    convention: Convention | None = None

    @property
    def about(self):
        """What the action is about, for the link's accessible name ('Comptes annuels…')."""
        return self.title.split(" : ", 1)[1] if " : " in self.title else ""

    @property
    def sort_key(self):
        # Overdue first, then what is possible now, then the coming deadlines.
        if self.overdue:
            return (0, self.due)
        if self.due is None:
            return (1, datetime.date.min)
        return (2, self.due)


def _live_payments(convention):
    return [p for p in convention.prefetched_payments if p.status != Payment.Status.REJECTED]


def _payment_tasks(convention, state):
    live = _live_payments(convention)
    kinds = {p.kind for p in live}
    tasks = []
    label = _label(convention)
    if Payment.Kind.BALANCE in kinds:
        return tasks
    if Payment.Kind.ADVANCE not in kinds:
        cap = rules.advance_cap(convention.amount_total, convention.advance_percentage)
        if cap > 0:
            tasks.append(
                Task(
                    title="Demander l'acompte",
                    detail=f"{label} : jusqu'à {euros(cap)}, soit "
                    f"{percent_short(convention.advance_percentage)} du montant voté (art. 4.3).",
                    url=reverse("payment_request", args=[convention.pk, Payment.Kind.ADVANCE]),
                    action="Demander l'acompte",
                    convention=convention,
                )
            )
    if state.all_accepted:
        tasks.append(
            Task(
                title="Demander le solde",
                detail=f"{label} : les justificatifs requis sont acceptés.",
                url=reverse("payment_request", args=[convention.pk, Payment.Kind.BALANCE]),
                action="Demander le solde",
                convention=convention,
            )
        )
    return tasks


def _label(convention):
    if convention.number:
        return (
            f"Convention n° {convention.number} ({convention.association.name}, {convention.year})"
        )
    return f"Convention {convention.year} ({convention.association.name})"


def _justificatif_tasks(convention, state):
    tasks = []
    for item in state.to_hand_in:
        rejected = item.state == "rejected"
        detail = _label(convention)
        if rejected:
            detail += f" — refusé : {item.justificatif.rejection_reason}"
        tasks.append(
            Task(
                title=f"{'Déposer une version corrigée' if rejected else 'Déposer'} : {item.label}",
                detail=detail,
                url=reverse("justificatif_upload", args=[convention.pk, item.kind]),
                action="Déposer une version corrigée" if rejected else "Déposer",
                due=state.due_date,
                overdue=state.days_left < 0,
                convention=convention,
            )
        )
    return tasks


def _indicator_task(convention, state):
    """The annex V indicators of the year go with the balance request: fill and submit them."""
    indicator_set, report = getattr(convention, "indicators", (None, None))
    if indicator_set is None or (report is not None and report.is_submitted):
        return []
    started = report is not None
    return [
        Task(
            title=f"{'Terminer et soumettre' if started else 'Renseigner'} les indicateurs "
            f"{convention.year}",
            detail=f"{_label(convention)} — annexe V, joints à la demande de solde.",
            url=reverse(
                "indicator_report_edit", args=[convention.association_id, indicator_set.pk]
            ),
            action="Reprendre la saisie" if started else "Renseigner les indicateurs",
            due=state.due_date,
            overdue=state.days_left < 0,
            convention=convention,
        )
    ]


def attach_indicators(conventions):
    """Each convention's annex V set (its authority's, for its association's structure type and
    its year) and the association's report on it, in two queries."""

    keys = {
        (c.authority_id, c.association.structure_type_id, c.year)
        for c in conventions
        if c.association.structure_type_id and c.status in UPLOAD_STATUSES
    }
    if not keys:
        return
    condition = Q()
    for authority_id, structure_type_id, year in keys:
        condition |= Q(authority_id=authority_id, structure_type_id=structure_type_id, year=year)
    sets = {
        (s.authority_id, s.structure_type_id, s.year): s
        for s in IndicatorSet.objects.filter(condition)
    }
    reports = {
        (r.association_id, r.indicator_set_id): r
        for r in IndicatorReport.objects.filter(
            indicator_set__in=list(sets.values()),
            association__in={c.association_id for c in conventions},
        )
    }
    for convention in conventions:
        key = (convention.authority_id, convention.association.structure_type_id, convention.year)
        indicator_set = sets.get(key)
        report = reports.get((convention.association_id, getattr(indicator_set, "pk", None)))
        convention.indicators = (indicator_set, report)


def convention_tasks(convention, today):
    if convention.status not in UPLOAD_STATUSES:
        return [], None
    state = due_state(convention, today)
    tasks = _justificatif_tasks(convention, state)
    tasks += _indicator_task(convention, state)
    if convention.is_signed_by_both:
        tasks += _payment_tasks(convention, state)
    return tasks, state


def financial_report_tasks(grants, today):
    """The compte rendu financier (Cerfa 15059) of each grant affected to a specific expense,
    due six months after the end of its year (loi 2000-321 art. 10), until handed in."""
    tasks = []
    for grant in grants:
        due = grant.financial_report_due_date
        if due is None or grant.has_financial_report:
            continue
        tasks.append(
            Task(
                title=f"Compte rendu financier : subvention {grant.year}",
                detail=f"{grant.association.name} — Cerfa 15059 de la subvention de "
                f"{euros(grant.amount)} affectée à « {grant.object} ».",
                url=reverse("small_grant_detail", args=[grant.pk]),
                action="Déposer le compte rendu",
                due=due,
                overdue=today > due,
            )
        )
    return tasks


def manager_dashboard(user, today=None):
    today = today or timezone.localdate()
    associations = list(
        Association.objects.visible_to(user)
        .select_related("structure_type", "authority")
        .order_by("name")
    )
    conventions = list(
        with_justificatif_data(Convention.objects.visible_to(user))
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.order_by("requested_at"),
                to_attr="prefetched_payments",
            )
        )
        .order_by("-year", "-pk")[:CONVENTIONS_SHOWN]
    )
    attach_indicators(conventions)
    tasks = []
    for convention in conventions:
        convention_tasks_, state = convention_tasks(convention, today)
        convention.due = state
        tasks += convention_tasks_
        if convention.status == Convention.Status.READY:
            tasks.append(
                Task(
                    title="Signer la convention",
                    detail=f"{_label(convention)} : prête pour signature.",
                    url=reverse("convention_detail", args=[convention.pk]),
                    action="Voir la convention",
                    convention=convention,
                )
            )
    tasks.sort(key=lambda task: task.sort_key)
    payments = list(
        Payment.objects.visible_to(user)
        .select_related("convention__association", "grant__association")
        .order_by("-requested_at")[:PAYMENTS_SHOWN]
    )
    grants = list(
        Grant.objects.visible_to(user)
        .select_related("association", "authority")
        .annotate(has_financial_report=Exists(FinancialReport.objects.filter(grant=OuterRef("pk"))))
        .order_by("-year", "association__name")[:GRANTS_SHOWN]
    )
    tasks += financial_report_tasks(grants, today)
    tasks.sort(key=lambda task: task.sort_key)
    notifications = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at")[
            :5
        ]
    )
    from grants.requests.filing_views import in_progress

    return {
        "associations": associations,
        "requests_in_progress": in_progress(user),
        "conventions": conventions,
        "tasks": tasks,
        "payments": payments,
        "grants": grants,
        "notifications": notifications,
        "today": today,
    }
