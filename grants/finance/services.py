"""Writes that move money: commitments on budget lines, payments and clawbacks.

Each step is one function that checks who may do it, refuses an illegal step with a clear
French message (ValidationError) or a PermissionDenied for a role that may not act, and records
who and when. Money moves inside transaction.atomic() with the convention (or budget line) row
locked by select_for_update(), so two requests arriving at once are checked one after the other.
The rules themselves are the pure functions of grants.rules.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from associations.indicators.models import indicators_awaiting_submission
from associations.models import AssociationBudget, BankDetails
from conventions.models import Convention, Justificatif
from conventions.multiyear import check_year
from conventions.notifications import services as notifications
from conventions.readiness import ADVANCE_REQUEST, grant_commitment_readiness, readiness
from conventions.readiness import require as require_checklist
from grants import rules
from grants.access import can_certify, can_manage_budget, can_order, can_request_payment, require
from grants.finance.models import (
    CERTIFICATION_TEXT,
    BudgetLine,
    Clawback,
    Commitment,
    Payment,
    RealisedSource,
)
from grants.queries import locked
from grants.templatetags.fr import euros, percent_short

ZERO = Decimal("0.00")
Kind = Payment.Kind
Status = Payment.Status

# ---- who may act -----------------------------------------------------------------------------


def _check_past_date(value, label, not_before=None, not_before_label=""):
    if value is None:
        raise ValidationError(f"Indiquez la date {label}.")
    if value > timezone.localdate():
        raise ValidationError(f"La date {label} ne peut pas être dans le futur.")
    if not_before is not None and value < not_before:
        raise ValidationError(
            f"La date {label} ne peut pas précéder {not_before_label} ({not_before:%d/%m/%Y})."
        )


# ---- the amount due (art. 4.2) ---------------------------------------------------------------


@dataclass(frozen=True)
class DueBasis:
    """How the amount due is computed: voted × min(1, realised / forecast expenses)."""

    voted: Decimal
    forecast_expenses: Decimal | None
    realised_expenses: Decimal | None
    realised_source: str
    due: Decimal

    @property
    def is_prorated(self):
        """True once realised expenses are known and the pro rata rule has been applied."""
        return self.forecast_expenses is not None and self.realised_expenses is not None

    @property
    def realised_source_label(self):
        return RealisedSource(self.realised_source).label if self.realised_source else ""


def _year_of(convention, year):
    """The year a per-year computation is about: None means the whole convention, which is the
    same as its only year for an annual convention."""
    return year if convention.is_multi_year else None


def _payments_of(convention, year):
    payments = Payment.objects.filter(convention=convention)
    return payments if year is None else payments.filter(year=year)


def realised_budget(convention, year=None):
    """The association's realised budget (compte rendu financier) for the year (by default the
    convention's first year)."""

    budget = (
        AssociationBudget.objects.filter(
            association_id=convention.association_id,
            year=year or convention.year,
            kind=AssociationBudget.Kind.REALISED,
        )
        .prefetch_related("lines")
        .first()
    )
    if budget is None or budget.total_charges <= 0:
        return None
    return budget


def _last_typed_realised(convention, year=None):
    """The realised expenses last declared on a balance request or a clawback, if any."""
    candidates = []
    clawbacks = Clawback.objects.filter(convention=convention)
    if year is not None:
        clawbacks = clawbacks.filter(year=year)
    payment = (
        _payments_of(convention, year)
        .filter(
            kind=Kind.BALANCE,
            status__in=Payment.LIVE_STATUSES,
            realised_source=RealisedSource.TYPED,
        )
        .order_by("-requested_at")
        .values_list("requested_at", "realised_expenses")
        .first()
    )
    if payment:
        candidates.append(payment)
    clawback = (
        clawbacks.filter(realised_source=RealisedSource.TYPED)
        .order_by("-recorded_at")
        .values_list("recorded_at", "realised_expenses")
        .first()
    )
    if clawback:
        candidates.append(clawback)
    return max(candidates)[1] if candidates else None


def forecast_expenses(convention, year=None):
    """Total charges (60–69, without voluntary contributions) of the convention's annex I; for
    a later year of a CPO, of the association's forecast budget of that year when filed."""
    budget = getattr(convention, "forecast_budget", None)
    if year is not None and (budget is None or budget.year != year):
        budget = (
            AssociationBudget.objects.filter(
                association_id=convention.association_id,
                year=year,
                kind=AssociationBudget.Kind.FORECAST,
            )
            .prefetch_related("lines")
            .first()
        ) or budget
    if budget is None:
        return None
    total = budget.total_charges
    return total if total > 0 else None


def due_basis(convention, typed_realised=None, year=None):
    """The amount due now.

    Realised expenses come from the association's realised budget (compte rendu financier) when
    it is filed with charges; otherwise from the figure typed on this request (`typed_realised`),
    otherwise from the last one typed on a balance request or a clawback. Until they are known,
    the amount due is the voted amount. With a year (a CPO), everything is that year's.
    """
    year = _year_of(convention, year)
    voted = convention.amount if year is None else convention.amount_for_year(year)
    forecast = forecast_expenses(convention, year)
    budget = realised_budget(convention, year)
    if budget is not None:
        realised, source = budget.total_charges, RealisedSource.BUDGET
    elif typed_realised is not None:
        realised, source = typed_realised, RealisedSource.TYPED
    else:
        realised = _last_typed_realised(convention, year)
        source = RealisedSource.TYPED if realised is not None else ""
    if forecast is not None and realised is not None:
        due = rules.amount_due(voted, forecast, realised)
    else:
        due = voted
    return DueBasis(voted, forecast, realised, source, due)


@dataclass(frozen=True)
class ConventionFinances:
    voted: Decimal
    advance_percentage: Decimal
    advance_cap: Decimal
    basis: DueBasis
    requested: Decimal  # every payment not rejected
    advanced: Decimal  # advances not rejected
    ordered: Decimal
    paid: Decimal
    clawed_back: Decimal
    has_live_advance: bool
    has_live_balance: bool

    @property
    def due(self):
        return self.basis.due

    @property
    def net_paid(self):
        return self.paid - self.clawed_back

    @property
    def remaining_payable(self):
        return rules.remaining_payable(self.due, self.requested)

    @property
    def remaining_to_pay(self):
        """What the authority still owes: the due amount less the net amount paid."""
        return max(ZERO, self.due - self.net_paid)

    @property
    def to_claw_back(self):
        return rules.clawback_due(self.due, self.paid, self.clawed_back)

    @property
    def advance_available(self):
        """The largest advance still possible now."""
        if self.has_live_advance or self.has_live_balance:
            return ZERO
        return min(self.advance_cap - self.advanced, self.remaining_payable)


def convention_finances(convention, typed_realised=None, year=None):
    """The money of one convention in three queries (payments, clawbacks, the due basis); with
    a year, of that year of a CPO only (its voted amount, its advance cap, its payments)."""
    year = _year_of(convention, year)
    live = Q(status__in=Payment.LIVE_STATUSES)
    clawbacks = Clawback.objects.filter(convention=convention)
    if year is not None:
        clawbacks = clawbacks.filter(year=year)
    sums = _payments_of(convention, year).aggregate(
        requested=Sum("amount", filter=live),
        advanced=Sum("amount", filter=live & Q(kind=Kind.ADVANCE)),
        balance=Sum("amount", filter=live & Q(kind=Kind.BALANCE)),
        ordered=Sum("amount", filter=Q(status__in=Payment.ORDERED_STATUSES)),
        paid=Sum("amount", filter=Q(status=Status.PAID)),
    )
    clawed_back = clawbacks.aggregate(total=Sum("amount"))
    basis = due_basis(convention, typed_realised, year)
    percentage = convention.advance_percentage
    return ConventionFinances(
        voted=basis.voted,
        advance_percentage=percentage,
        advance_cap=rules.advance_cap(basis.voted, percentage),
        basis=basis,
        requested=sums["requested"] or ZERO,
        advanced=sums["advanced"] or ZERO,
        ordered=sums["ordered"] or ZERO,
        paid=sums["paid"] or ZERO,
        clawed_back=clawed_back["total"] or ZERO,
        has_live_advance=sums["advanced"] is not None,
        has_live_balance=sums["balance"] is not None,
    )


# ---- budget lines and commitments ------------------------------------------------------------


def committed_on(line):
    return line.commitments.aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def budget_line_save(line, user):
    """Create or update a line; its voted credits never fall below what is committed on it."""
    require(can_manage_budget(user, line.authority_id))
    if line.pk:
        BudgetLine.objects.select_for_update().get(pk=line.pk)
        committed = committed_on(line)
        if line.voted_credits < committed:
            raise ValidationError(
                {
                    "voted_credits": (
                        f"Les crédits votés ne peuvent pas être inférieurs aux montants déjà "
                        f"engagés sur la ligne ({euros(committed)})."
                    )
                }
            )
    line.full_clean()
    line.save()
    return line


def _grant_deliberation_is_executory(grant):
    deliberation = grant.deliberation
    if deliberation is None:
        return True
    return getattr(deliberation, "is_executory", True)


@transaction.atomic
def grant_commit(*, grant, budget_line, number, date, user):
    """Commit a grant's amount on a budget line (engagement), if the credits allow it."""
    require(can_manage_budget(user, grant.authority_id))
    line = BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": "Indiquez le numéro d'engagement."})
    _check_past_date(date, "d'engagement")
    if line.authority_id != grant.authority_id:
        raise ValidationError(
            {"budget_line": "Cette ligne budgétaire appartient à une autre collectivité."}
        )
    if line.year != grant.year:
        raise ValidationError(
            {
                "budget_line": (
                    f"Une subvention de l'exercice {grant.year} ne peut pas être engagée sur une "
                    f"ligne de l'exercice {line.year}."
                )
            }
        )
    if Commitment.objects.filter(grant=grant).exists():
        raise ValidationError("Cette subvention est déjà engagée.")
    if not _grant_deliberation_is_executory(grant):
        raise ValidationError(
            f"La délibération n° {grant.deliberation.number} n'est pas encore exécutoire "
            "(transmission en préfecture et publication) : la subvention ne peut pas être "
            "engagée."
        )
    require_checklist(grant_commitment_readiness(grant), "engager la subvention")
    committed = committed_on(line)
    if not rules.commitment_fits(grant.amount, line.voted_credits, committed):
        available = rules.available_credits(line.voted_credits, committed)
        raise ValidationError(
            {
                "budget_line": (
                    f"Crédits insuffisants sur la ligne {line.imputation} ({line.year}) : "
                    f"{euros(available)} disponibles pour une subvention de "
                    f"{euros(grant.amount)}. Augmentez les crédits votés (décision "
                    "modificative) ou choisissez une autre ligne."
                )
            }
        )
    if Commitment.objects.filter(
        budget_line__authority_id=line.authority_id, budget_line__year=line.year, number=number
    ).exists():
        raise ValidationError(
            {"number": f"Le numéro d'engagement {number} est déjà utilisé en {line.year}."}
        )
    return Commitment.objects.create(
        grant=grant,
        budget_line=line,
        number=number,
        date=date,
        amount=grant.amount,
        created_by=user,
    )


@transaction.atomic
def commitment_cancel(commitment, user):
    """Cancel a commitment typed by mistake, as long as no payment order refers to it."""
    require(can_manage_budget(user, commitment.budget_line.authority_id))
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.payments.exists():
        raise ValidationError(
            "Des versements ont été mandatés sur cet engagement : il ne peut plus être annulé."
        )
    commitment.delete()


# ---- payments --------------------------------------------------------------------------------


def _require_payable_convention(convention, what):

    if convention.status in {Convention.Status.CLOSED, Convention.Status.TERMINATED}:
        raise ValidationError(
            f"La convention est « {convention.get_status_display()} » : plus aucun versement "
            "ne peut être demandé."
        )
    if not convention.is_signed_by_both:
        raise ValidationError(
            f"{what} ne peut être demandé qu'une fois la convention signée par les deux parties "
            "(art. 4.3)."
        )


def missing_justificatifs(convention, year=None):
    """Labels of the required justificatifs not accepted yet (art. 6.2); of one year for a CPO."""

    required = list(convention.required_justificatif_kinds)
    justificatifs = convention.justificatifs.filter(status=Justificatif.Status.ACCEPTED)
    year = _year_of(convention, year)
    if year is not None:
        justificatifs = justificatifs.filter(year=year)
    accepted = set(justificatifs.values_list("kind", flat=True))
    return [Justificatif.Kind(kind).label for kind in required if kind not in accepted]


def _of_year(convention, year):
    return f" de l'exercice {year}" if convention.is_multi_year else ""


def _check_advance(convention, finances, amount, year=None):
    _require_payable_convention(convention, "L'acompte")
    require_checklist(readiness(convention, ADVANCE_REQUEST), "demander l'acompte")
    of_year = _of_year(convention, year)
    if finances.voted <= 0:
        raise ValidationError(
            f"Aucun montant n'est encore voté pour l'exercice {year} : l'acompte se demande une "
            "fois la subvention de l'année votée."
        )
    if finances.has_live_balance:
        raise ValidationError(
            f"Le solde{of_year} a déjà été demandé : un acompte n'est plus possible."
        )
    if finances.has_live_advance:
        raise ValidationError(f"Un acompte{of_year} a déjà été demandé pour cette convention.")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Indiquez un montant positif."})
    if not rules.advance_within_cap(
        amount, finances.voted, finances.advance_percentage, finances.advanced
    ):
        raise ValidationError(
            {
                "amount": (
                    "L'acompte ne peut pas dépasser "
                    f"{percent_short(finances.advance_percentage)} du montant voté{of_year} de "
                    f"{euros(finances.voted)}, soit {euros(finances.advance_cap)} "
                    "(art. 4.3)."
                )
            }
        )
    if amount > finances.remaining_payable:
        raise ValidationError(
            {
                "amount": (
                    f"Le total des versements dépasserait le montant dû ({euros(finances.due)}) : "
                    f"il reste {euros(finances.remaining_payable)} à demander."
                )
            }
        )
    return amount


def _check_balance(convention, finances, year=None):
    _require_payable_convention(convention, "Le solde")
    of_year = _of_year(convention, year)
    if finances.voted <= 0:
        raise ValidationError(f"Aucun montant n'est encore voté pour l'exercice {year}.")
    if finances.has_live_balance:
        raise ValidationError(f"Le solde{of_year} a déjà été demandé pour cette convention.")
    missing = missing_justificatifs(convention, year)
    of_the_year = "de l'année " if of_year else ""
    if missing:
        raise ValidationError(
            f"Le solde{of_year} ne peut être demandé qu'une fois les justificatifs requis "
            f"{of_the_year}acceptés (art. 6.2). En attente : {' ; '.join(missing)}."
        )
    awaiting = indicators_awaiting_submission(convention)
    if awaiting is not None:
        raise ValidationError(
            "Les indicateurs de l'année (annexe V) sont joints à la demande de solde : "
            f"renseignez et soumettez d'abord le rapport « {awaiting} »."
        )
    basis = finances.basis
    if basis.forecast_expenses is None:
        raise ValidationError(
            "Le budget prévisionnel de la convention (annexe I) n'est pas renseigné : le montant "
            "dû au prorata des dépenses réalisées ne peut pas être calculé (art. 4.2)."
        )
    if basis.realised_expenses is None:
        raise ValidationError(
            {
                "realised_expenses": (
                    "Indiquez le total des dépenses réalisées de l'exercice (compte rendu "
                    "financier), hors contributions volontaires."
                )
            }
        )
    amount = finances.remaining_payable
    if amount <= 0:
        message = (
            f"Le montant dû après justification des dépenses ({euros(basis.due)}) est déjà "
            "entièrement demandé ou versé : il n'y a pas de solde à verser."
        )
        if finances.to_claw_back > 0:
            message += (
                f" Le trop-perçu de {euros(finances.to_claw_back)} fera l'objet d'un titre de "
                "recettes (reversement, art. 4.2)."
            )
        raise ValidationError(message)
    return amount


def _save_unique(instance):
    """Save, turning the one-request-per-kind (and year) constraint into a clear message."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        message = "Une demande de ce type existe déjà pour cette convention."
        if instance.convention.is_multi_year:
            message = f"Une demande de ce type existe déjà pour l'exercice {instance.year}."
        raise ValidationError(message) from error


@transaction.atomic
def payment_request(
    *,
    convention,
    user,
    kind,
    signer_name,
    certified,
    amount=None,
    realised_expenses=None,
    year=None,
):
    """The association asks for its advance or its balance, certifying the expense (art. 4.3).
    For a CPO, the request is for one year (by default the first): the advance cap and the
    balance are that year's.

    The convention row is locked first, so that two requests arriving at once are checked one
    after the other and the sum of the payments never exceeds the amount due.
    """
    require(
        can_request_payment(user, convention),
        "Seul un gestionnaire de l'association peut demander un versement.",
    )
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError({"signer_name": "Indiquez le nom du signataire de la demande."})
    if not certified:
        raise ValidationError(
            {"certified": "La demande doit certifier la réalité de la dépense (art. 4.3)."}
        )
    convention = locked(convention, "association", "authority", "forecast_budget")
    typed = realised_expenses if kind == Kind.BALANCE else None
    if typed is not None and typed < 0:
        raise ValidationError(
            {"realised_expenses": "Les dépenses réalisées ne peuvent pas être négatives."}
        )
    year = check_year(convention, year)
    finances = convention_finances(convention, typed_realised=typed, year=year)
    payment = Payment(
        convention=convention,
        year=year,
        kind=kind,
        requested_at=timezone.now(),
        requested_by=user,
        signer_name=signer_name,
        certification_text=CERTIFICATION_TEXT,
    )
    if kind == Kind.ADVANCE:
        payment.amount = _check_advance(convention, finances, amount, year)
    elif kind == Kind.BALANCE:
        payment.amount = _check_balance(convention, finances, year)
        basis = finances.basis
        payment.forecast_expenses = basis.forecast_expenses
        payment.realised_expenses = basis.realised_expenses
        payment.realised_source = basis.realised_source
        payment.amount_due = basis.due
    else:
        raise ValidationError("Type de versement inconnu.")
    _save_unique(payment)
    # The authority's instructors are told (screen and mail) once the request is committed.
    transaction.on_commit(partial(notifications.payment_requested, payment))
    return payment


def _require_status(payment, allowed, action):
    if payment.status not in allowed:
        raise ValidationError(
            f"Impossible de {action} : le versement est « {payment.get_status_display()} »."
        )


@transaction.atomic
def payment_certify(payment, user):
    """Staff certify the service fait: the request is complete and the expense is real."""
    payment = locked(payment, "convention__authority", "convention__association")
    require(
        can_certify(user, payment.subject),
        "Seul un agent instructeur certifie le service fait.",
    )
    _require_status(payment, {Status.REQUESTED}, "certifier le service fait")
    payment.status = Status.CERTIFIED
    payment.certified_at = timezone.now()
    payment.certified_by = user
    payment.save()
    return payment


@transaction.atomic
def payment_reject(payment, user, *, reason):
    """Refuse a request before its payment order; it then no longer counts in the sums."""
    payment = locked(
        payment,
        "convention__authority",
        "convention__association",
        "grant__authority",
        "grant__association",
    )
    subject = payment.subject
    require(can_certify(user, subject) or can_order(user, subject))
    _require_status(payment, {Status.REQUESTED, Status.CERTIFIED}, "rejeter la demande")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du rejet."})
    payment.status = Status.REJECTED
    payment.rejected_at = timezone.now()
    payment.rejected_by = user
    payment.rejection_reason = reason
    payment.save()
    return payment


def payment_commitments(payment):
    """The commitments a payment may be ordered on: its convention's grants', or its grant's."""
    if payment.convention_id:
        candidates = Commitment.objects.filter(grant__conventions=payment.convention_id)
    else:
        candidates = Commitment.objects.filter(grant=payment.grant_id)
    return candidates.select_related("budget_line")


def _resolve_commitment(payment, commitment):
    candidates = payment_commitments(payment)
    if commitment is None:
        found = list(candidates[:2])
        if not found:
            raise ValidationError(
                "Aucune subvention de cette convention n'est engagée : engagez-la d'abord sur une "
                "ligne budgétaire."
                if payment.convention_id
                else "La subvention n'est pas engagée : le service financier l'engage d'abord sur "
                "une ligne budgétaire."
            )
        if len(found) > 1:
            raise ValidationError({"commitment": "Choisissez l'engagement à mandater."})
        return Commitment.objects.select_for_update().get(pk=found[0].pk)
    if not candidates.filter(pk=commitment.pk).exists():
        raise ValidationError(
            {"commitment": "Cet engagement ne concerne pas une subvention de cette convention."}
        )
    return Commitment.objects.select_for_update().get(pk=commitment.pk)


NO_BANK_DETAILS = (
    "L'association n'a pas de coordonnées bancaires validées : aucun mandat ne peut être émis. "
    "Un agent instructeur vérifie le RIB et valide les coordonnées depuis la page de "
    "l'association."
)


@transaction.atomic
def payment_order(payment, user, *, number, date, commitment=None):
    """Finance records the payment order (mandat). Who certified the service fait may not."""
    payment = locked(
        payment,
        "convention__authority",
        "convention__association",
        "grant__authority",
        "grant__association",
    )
    subject = payment.subject
    require(can_order(user, subject), "Seul un agent financier émet les mandats.")
    _require_status(payment, {Status.CERTIFIED}, "mandater")
    if payment.certified_by_id == user.pk:
        raise ValidationError(
            "Séparation des tâches : vous avez certifié le service fait de ce versement, un autre "
            "agent doit émettre le mandat."
        )
    bank_details = BankDetails.objects.in_force(subject.association)
    if bank_details is None:
        raise ValidationError(NO_BANK_DETAILS)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": "Indiquez le numéro du mandat."})
    certified_on = timezone.localdate(payment.certified_at)
    _check_past_date(date, "du mandat", certified_on, "la certification du service fait")
    commitment = _resolve_commitment(payment, commitment)
    already = (
        commitment.payments.filter(status__in=Payment.ORDERED_STATUSES).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    if already + payment.amount > commitment.amount:
        raise ValidationError(
            f"Le mandat dépasserait l'engagement n° {commitment.number} de "
            f"{euros(commitment.amount)} : {euros(commitment.amount - already)} restent à "
            "mandater."
        )
    same_authority = Q(convention__authority_id=subject.authority_id) | Q(
        grant__authority_id=subject.authority_id
    )
    if Payment.objects.filter(
        same_authority, order_number=number, order_date__year=date.year
    ).exists():
        raise ValidationError(
            {"number": f"Le numéro de mandat {number} est déjà utilisé en {date.year}."}
        )
    payment.status = Status.ORDERED
    payment.commitment = commitment
    payment.order_number = number
    payment.order_date = date
    payment.ordered_at = timezone.now()
    payment.ordered_by = user
    payment.bank_details = bank_details
    payment.save()
    # The association's managers are told (screen and mail) once the order is committed.
    transaction.on_commit(partial(notifications.payment_ordered, payment))
    return payment


@transaction.atomic
def payment_record_paid(payment, user, *, date):
    """Finance records the date the treasury paid the mandat."""
    payment = locked(
        payment,
        "convention__authority",
        "convention__association",
        "grant__authority",
        "grant__association",
    )
    require(can_order(user, payment.subject), "Seul un agent financier constate le paiement.")
    _require_status(payment, {Status.ORDERED}, "constater le paiement")
    _check_past_date(date, "de paiement", payment.order_date, "la date du mandat")
    payment.status = Status.PAID
    payment.paid_date = date
    payment.paid_recorded_at = timezone.now()
    payment.paid_recorded_by = user
    payment.save()
    return payment


# ---- clawbacks -------------------------------------------------------------------------------


@transaction.atomic
def clawback_record(
    *,
    convention,
    user,
    amount,
    reason,
    title_number,
    title_date,
    realised_expenses=None,
    year=None,
):
    """Claim back the excess paid over the amount due (art. 4.2 and 8), by a titre de recettes;
    for a CPO, the excess of one year."""
    require(can_order(user, convention), "Seul un agent financier émet les titres de recettes.")
    convention = locked(convention, "association", "authority", "forecast_budget")
    year = check_year(convention, year)
    finances = convention_finances(convention, typed_realised=realised_expenses, year=year)
    basis = finances.basis
    excess = finances.to_claw_back
    if excess <= 0:
        raise ValidationError(
            f"Aucun trop-perçu : le montant versé net ({euros(finances.net_paid)}) ne dépasse "
            f"pas le montant dû ({euros(basis.due)})."
        )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Indiquez un montant positif."})
    if amount > excess:
        raise ValidationError(
            {"amount": f"Le reversement ne peut pas dépasser le trop-perçu de {euros(excess)}."}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du reversement."})
    title_number = (title_number or "").strip()
    if not title_number:
        raise ValidationError({"title_number": "Indiquez le numéro du titre de recettes."})
    _check_past_date(title_date, "du titre de recettes")
    if Clawback.objects.filter(
        convention__authority_id=convention.authority_id,
        title_number=title_number,
        title_date__year=title_date.year,
    ).exists():
        raise ValidationError(
            {
                "title_number": (
                    f"Le titre de recettes n° {title_number} est déjà utilisé en {title_date.year}."
                )
            }
        )
    return Clawback.objects.create(
        convention=convention,
        year=year,
        amount=amount,
        reason=reason,
        title_number=title_number,
        title_date=title_date,
        forecast_expenses=basis.forecast_expenses,
        realised_expenses=basis.realised_expenses,
        realised_source=basis.realised_source,
        amount_due=basis.due,
        paid_before=finances.net_paid,
        recorded_at=timezone.now(),
        recorded_by=user,
    )
