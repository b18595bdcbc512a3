"""Staff's instruction of a request: take it, ask for completions, instruct it (opinion and
proposed amount), refuse it, close it, reopen it, assign an agent, check the pieces; and the
same moves on a selection of a campaign's requests.

Every status change goes through services.request_move (the row locked, the move checked
against rules.TRANSITIONS, the event recorded, the association told by notification and email
through the task queue). Each function checks can_instruct_request first.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from associations.documents.models import PieceKind
from conventions.notifications.models import Notification
from conventions.notifications.services import notify
from grants import rules as money
from grants.access import can_instruct_request, require
from grants.models import Role, User
from grants.queries import locked
from grants.requests import rules
from grants.requests.models import RequestEvent, RequestPieceCheck, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import label, record_event, request_move

NOT_ALLOWED = "Seuls les agents instructeurs de la collectivité instruisent cette demande."


def _require(user, subsidy_request):
    require(can_instruct_request(user, subsidy_request), NOT_ALLOWED)


def _staff_move(subsidy_request, target, *, user, text="", **changes):
    _require(user, subsidy_request)
    return request_move(subsidy_request, target, user=user, actor=rules.STAFF, text=text, **changes)


def request_take(*, user, subsidy_request, text=""):
    """Déposée → en instruction; the agent who takes it is assigned when nobody was (an agent
    of the authority, not the platform administrator)."""
    mine = user.authority_id == subsidy_request.authority_id
    changes = {"assigned_to": user} if mine and not subsidy_request.assigned_to_id else {}
    return _staff_move(subsidy_request, Status.IN_REVIEW, user=user, text=text, **changes)


def request_ask_completion(*, user, subsidy_request, text):
    """Back to the association « à compléter »: `text` says what to correct (it reads it)."""
    return _staff_move(subsidy_request, Status.TO_COMPLETE, user=user, text=text)


def request_instruct(*, user, subsidy_request, opinion, proposed_amount, opinion_text="", text=""):
    """En instruction → instruite, with the technical opinion and the proposed amount (both
    required: the proposals of the campaign are summed against its envelope)."""
    errors = {}
    if opinion not in SubsidyRequest.Opinion.values:
        errors["opinion"] = "Choisissez l'avis technique (favorable, avec réserves, défavorable)."
    if proposed_amount is None:
        errors["proposed_amount"] = "Indiquez le montant proposé."
    elif Decimal(proposed_amount) < 0:
        errors["proposed_amount"] = "Le montant proposé ne peut être négatif."
    if errors:
        raise ValidationError(errors)
    return _staff_move(
        subsidy_request,
        Status.INSTRUCTED,
        user=user,
        text=text,
        opinion=opinion,
        opinion_text=(opinion_text or "").strip(),
        proposed_amount=Decimal(proposed_amount),
    )


def request_reopen(*, user, subsidy_request, text=""):
    """Instruite → en instruction again (the opinion and amount stay until changed)."""
    return _staff_move(subsidy_request, Status.IN_REVIEW, user=user, text=text)


def request_refuse(*, user, subsidy_request, text):
    """Refused by staff, with the reason the association reads (and its letter will carry)."""
    return _staff_move(subsidy_request, Status.REFUSED, user=user, text=text)


def request_close(*, user, subsidy_request, text):
    """Classée sans suite, with the reason."""
    return _staff_move(subsidy_request, Status.CLOSED, user=user, text=text)


def request_staff_move(*, user, subsidy_request, target, text="", **fields):
    """The staff move to `target`, by the function of that move. A target staff may not reach
    from the current status raises ValidationError (French) from request_move."""
    if target == Status.IN_REVIEW:
        if subsidy_request.status == Status.INSTRUCTED:
            return request_reopen(user=user, subsidy_request=subsidy_request, text=text)
        return request_take(user=user, subsidy_request=subsidy_request, text=text)
    if target == Status.TO_COMPLETE:
        return request_ask_completion(user=user, subsidy_request=subsidy_request, text=text)
    if target == Status.INSTRUCTED:
        return request_instruct(user=user, subsidy_request=subsidy_request, text=text, **fields)
    if target == Status.REFUSED:
        return request_refuse(user=user, subsidy_request=subsidy_request, text=text)
    if target == Status.CLOSED:
        return request_close(user=user, subsidy_request=subsidy_request, text=text)
    return _staff_move(subsidy_request, target, user=user, text=text)


# ---- the agent in charge ---------------------------------------------------------------------


def assignable_agents(authority_id):
    """The instructors and administrators of the authority, who may be assigned a request."""
    return User.objects.filter(
        authority_id=authority_id, role__in=[Role.INSTRUCTOR, Role.ADMIN], is_active=True
    ).order_by("last_name", "first_name", "username")


def request_assign(*, user, subsidy_request, agent):
    """Give the request to an agent of its authority (None: nobody); the agent is told."""
    _require(user, subsidy_request)
    if (
        agent is not None
        and not assignable_agents(subsidy_request.authority_id).filter(pk=agent.pk).exists()
    ):
        raise ValidationError(
            "Seul un agent instructeur de la collectivité peut être chargé de la demande."
        )
    with transaction.atomic():
        current = locked(subsidy_request, "campaign__scheme")
        if current.assigned_to_id == (agent.pk if agent else None):
            return current
        current.assigned_to = agent
        current.save(update_fields=["assigned_to", "updated_at"])
        record_event(
            current,
            kind=RequestEvent.Kind.ASSIGNED,
            user=user,
            text=f"Confiée à {agent}" if agent else "Plus d'agent chargé",
        )
        if agent is not None and agent.pk != user.pk:
            notify(
                agent,
                Notification.Kind.REQUEST,
                f"La demande « {label(current)} » ({current.reference}) vous est confiée.",
                reverse("request_detail", args=[current.pk]),
            )
    subsidy_request.refresh_from_db()
    return subsidy_request


# ---- the checklist of the pieces ---------------------------------------------------------------


def request_check_piece(*, user, subsidy_request, kind, verdict, comment="", document=None):
    """Staff's verdict on one required piece (conforme / manquante / non conforme), replacing
    the previous one; the document examined is the association's current one of that kind."""
    _require(user, subsidy_request)
    if kind not in PieceKind.values:
        raise ValidationError("Pièce inconnue.")
    if verdict not in RequestPieceCheck.Verdict.values:
        raise ValidationError("Choisissez un avis sur la pièce.")
    comment = (comment or "").strip()
    if verdict == RequestPieceCheck.Verdict.INVALID and not comment:
        raise ValidationError("Dites ce qui ne va pas dans la pièce.")
    if document is not None and document.association_id != subsidy_request.association_id:
        raise PermissionDenied("Ce document n'est pas celui de l'association.")
    check, _ = RequestPieceCheck.objects.update_or_create(
        request=subsidy_request,
        kind=kind,
        defaults={
            "verdict": verdict,
            "comment": comment,
            "document": document,
            "checked_by": user,
            "checked_at": timezone.now(),
        },
    )
    return check


# ---- a selection of a campaign's requests ------------------------------------------------------

# Bulk moves: every staff target but « instruite », which needs each request's own opinion and
# proposed amount.
BULK_TARGETS = [Status.IN_REVIEW, Status.TO_COMPLETE, Status.REFUSED, Status.CLOSED]


def bulk_plan(requests, target):
    """(movable, refused) for moving `requests` to `target`: refused rows come with the reason
    in French, shown before staff confirm."""
    movable, refused = [], []
    for subsidy_request in requests:
        if rules.transition(subsidy_request.status, target, rules.STAFF):
            movable.append(subsidy_request)
        else:
            refused.append(
                (
                    subsidy_request,
                    f"une demande « {subsidy_request.get_status_display().lower()} » ne peut pas "
                    f"passer au statut « {Status(target).label.lower()} »",
                )
            )
    return movable, refused


def requests_bulk_move(*, user, requests, target, text=""):
    """Move every request of the selection, all or nothing: one transaction, so a row whose
    status changed since the confirmation stops the whole batch (nothing half-done) and the
    ValidationError says which one."""
    if target not in BULK_TARGETS:
        raise ValidationError(
            f"Le statut « {Status(target).label.lower()} » ne se donne pas par lot."
        )
    with transaction.atomic():
        for subsidy_request in requests:
            try:
                request_staff_move(
                    user=user, subsidy_request=subsidy_request, target=target, text=text
                )
            except ValidationError as error:
                raise ValidationError(
                    f"{subsidy_request.reference} : {' '.join(error.messages)} Aucune demande "
                    "n'a été modifiée."
                ) from None
    return len(requests)


def requests_bulk_assign(*, user, requests, agent):
    """Assign every request of the selection to `agent`, in one transaction."""
    with transaction.atomic():
        for subsidy_request in requests:
            request_assign(user=user, subsidy_request=subsidy_request, agent=agent)
    return len(requests)


# ---- the sums of a campaign ---------------------------------------------------------------------


def campaign_sums(campaign):
    """The amounts asked and proposed of the campaign's deposited requests, counted ones
    (rules.COUNTED) and per status, with the envelope and what remains of it: ONE query (grouped
    by status: three sums over the (campaign, status) index rather than 24 filtered ones)."""
    rows = {
        row["status"]: row
        for row in SubsidyRequest.objects.filter(campaign=campaign)
        .exclude(status=Status.DRAFT)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), asked=Sum("amount_requested"), proposed=Sum("proposed_amount"))
    }
    zero = Decimal("0.00")
    per_status = [
        {
            "status": status,
            "label": status.label,
            "count": rows.get(status, {}).get("n", 0),
            "asked": rows.get(status, {}).get("asked") or zero,
            "proposed": rows.get(status, {}).get("proposed") or zero,
            "counted": status in rules.COUNTED,
        }
        for status in Status
        if status != Status.DRAFT
    ]
    counted = [s for s in per_status if s["counted"]]
    proposed = sum((s["proposed"] for s in counted), zero)
    return {
        "asked": sum((s["asked"] for s in counted), zero),
        "proposed": proposed,
        "count": sum(s["count"] for s in counted),
        "envelope": campaign.envelope,
        "remaining": rules.envelope_balance(campaign.envelope, proposed),
        "per_status": per_status,
    }


# ---- the thresholds the proposed amount triggers, shown before the vote -------------------------


def request_obligations(subsidy_request):
    """What the amount (proposed, else asked) will oblige, from grants/rules.py: a convention
    above 23 000 €, the president's certification of the accounts above 75 000 € or 50 % of the
    association's budget, an auditor above 153 000 € of public subsidies (read from the yearly
    budget of the request, None when it has none)."""
    amount = subsidy_request.proposed_amount
    if amount is None:
        amount = subsidy_request.amount_requested or Decimal("0.00")
    budget = subsidy_request.yearly_budget
    budget_total = budget.total_charges if budget is not None else None
    public = budget.public_subsidies_total if budget is not None else None
    return {
        "amount": amount,
        "is_proposed": subsidy_request.proposed_amount is not None,
        "convention_required": money.convention_required(amount),
        "budget_total": budget_total,
        "share": money.share_of_budget(amount, budget_total) if budget_total else None,
        "certified_accounts_required": money.certified_accounts_required(
            amount, budget_total or Decimal("0")
        ),
        "public_subsidies": public,
        "auditor_required": money.auditor_required(public) if public is not None else None,
    }
