"""The writes every part of a request's life shares: a draft is created, a status moves, a
message is posted. Each checks its predicate (grants/access.py) and the move (rules.py), records
who and when as a RequestEvent, and tells the other side (notification + email through the task
queue, after commit).

The association's filing (steps, submission) lives in `filing.py`, staff's instruction in
`instruction.py`, the proposals that become a deliberation in `decisions.py`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conventions.notifications.models import Notification
from conventions.notifications.services import (
    association_managers,
    authority_instructors,
    notify,
)
from grants.access import can_file_request, can_instruct_request, can_message_request, require
from grants.queries import locked
from grants.requests import rules
from grants.requests.models import RequestEvent, SubsidyRequest
from grants.requests.rules import Status

# What the association reads when staff move its request.
STATUS_MESSAGES = {
    Status.SUBMITTED: "La demande « {label} » a été déposée.",
    Status.IN_REVIEW: "Votre demande « {label} » est en cours d'instruction.",
    Status.TO_COMPLETE: "Votre demande « {label} » est à compléter : {text}",
    Status.INSTRUCTED: "L'instruction de votre demande « {label} » est terminée ; elle sera "
    "présentée à l'assemblée délibérante.",
    Status.VOTED: "Votre demande « {label} » a été votée.",
    Status.REFUSED: "Votre demande « {label} » a été refusée : {text}",
    Status.CLOSED: "Votre demande « {label} » a été classée sans suite : {text}",
}


def label(subsidy_request):
    return (
        subsidy_request.title or subsidy_request.reference or subsidy_request.campaign.scheme.name
    )


def staff_to_tell(subsidy_request):
    """The agent assigned, or else the scheme's staff, or else the authority's instructors."""
    if subsidy_request.assigned_to_id:
        return [subsidy_request.assigned_to]
    staff = list(subsidy_request.campaign.scheme.staff.filter(is_active=True))
    return staff or list(authority_instructors(subsidy_request.authority_id))


def next_reference(campaign):
    """DEM-2026-0001: the year of the campaign and the rank of the request in the authority."""
    prefix = f"DEM-{campaign.year}-"
    last = (
        SubsidyRequest.objects.filter(
            authority_id=campaign.authority_id, reference__startswith=prefix
        )
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    rank = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{rank:04d}"


def request_create(*, user, campaign, association, today=None):
    """A new draft for the association in this open campaign, prefilled from the association
    (its representative and contact) so that nothing known is typed twice."""
    require(
        can_file_request(user, association),
        "Seuls les gestionnaires de l'association déposent ses demandes.",
    )
    if association.authority_id != campaign.authority_id:
        raise PermissionDenied(
            "Cette campagne n'est pas ouverte par la collectivité de l'association."
        )
    if not campaign.is_open(today):
        raise ValidationError(
            f"La campagne « {campaign} » n'accepte pas de demande aujourd'hui : dépôts du "
            f"{campaign.opens_on:%d/%m/%Y} au {campaign.closes_on:%d/%m/%Y}."
        )
    types = list(campaign.scheme.eligible_structure_types.values_list("pk", flat=True))
    if types and association.structure_type_id not in types:
        raise ValidationError(
            f"Le dispositif « {campaign.scheme.name} » n'est pas ouvert aux structures de ce type."
        )
    return SubsidyRequest.objects.create(
        campaign=campaign,
        association=association,
        authority_id=campaign.authority_id,
        created_by=user,
        representative_name=association.representative_name,
        representative_title=association.representative_title,
        contact_name=association.contact_name or user.get_full_name(),
        contact_email=association.email or user.email,
        contact_phone=association.phone,
        signatory_name=association.representative_name,
        signatory_title=association.representative_title,
    )


def record_event(subsidy_request, *, kind, user, text="", from_status="", to_status=""):
    return RequestEvent.objects.create(
        request=subsidy_request,
        kind=kind,
        author=user,
        text=text,
        from_status=from_status,
        to_status=to_status,
    )


def request_move(subsidy_request, target, *, user, actor, text="", **changes):
    """Move a request to `target` (in a transaction, the row locked), with the fields the move
    sets (`changes`), the event recorded, and the other side told after commit.

    Raises ValidationError (French) when the move is not allowed from the current status or a
    reason is missing. Callers check who may act (the predicate of their side) first.
    """
    with transaction.atomic():
        current = locked(subsidy_request, "campaign__scheme", "association")
        move = rules.transition(current.status, target, actor)
        if move is None:
            raise ValidationError(
                f"Une demande « {current.get_status_display().lower()} » ne peut pas passer au "
                f"statut « {Status(target).label.lower()} »."
            )
        text = (text or "").strip()
        if target in rules.NEEDS_REASON and not text:
            raise ValidationError("Indiquez le motif : l'association le lira.")
        if current.grant_id and actor != rules.VOTE:
            # Inscribed in a draft deliberation: the vote decides it now (decisions.py).
            deliberation = current.grant.deliberation
            number = deliberation.number if deliberation else "—"
            raise ValidationError(
                f"La demande est inscrite au projet de délibération n° {number} : retirez "
                "d'abord sa subvention de la délibération, ou laissez le vote en décider."
            )
        source = current.status
        current.status = target
        for field, value in changes.items():
            setattr(current, field, value)
        if target in rules.FINAL:
            current.decided_at = timezone.now()
            if target in (Status.REFUSED, Status.CLOSED):
                current.decision_reason = text
        current.save()
        record_event(
            current,
            kind=RequestEvent.Kind.STATUS,
            user=user,
            text=text,
            from_status=source,
            to_status=target,
        )
        _tell(current, target, actor, text)
    subsidy_request.refresh_from_db()
    return subsidy_request


def _tell(subsidy_request, target, actor, text):
    url = reverse("request_detail", args=[subsidy_request.pk])
    name = label(subsidy_request)
    if actor == rules.ASSOCIATION:
        again = subsidy_request.version > 1
        message = (
            f"{subsidy_request.association.name} a {'redéposé' if again else 'déposé'} la "
            f"demande « {name} » ({subsidy_request.reference})."
        )
        notify(staff_to_tell(subsidy_request), Notification.Kind.REQUEST, message, url)
        # The managers get a receipt of what they deposited.
        notify(
            association_managers(subsidy_request.association_id),
            Notification.Kind.REQUEST,
            STATUS_MESSAGES[Status.SUBMITTED].format(label=name),
            url,
            subject=f"Accusé de réception de votre demande {subsidy_request.reference}",
        )
        return
    notify(
        association_managers(subsidy_request.association_id),
        Notification.Kind.REQUEST,
        STATUS_MESSAGES[target].format(label=name, text=text),
        url,
        subject=f"Votre demande {subsidy_request.reference} : {Status(target).label.lower()}",
    )


def request_message(*, user, subsidy_request, text, internal=False):
    """A message on the request's thread (an internal note when staff choose so), told to the
    other side."""
    require(
        can_message_request(user, subsidy_request), "Vous ne pouvez pas écrire sur cette demande."
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError("Le message est vide.")
    staff_side = can_instruct_request(user, subsidy_request)
    if internal and not staff_side:
        raise PermissionDenied("Seuls les agents écrivent des notes internes.")
    kind = RequestEvent.Kind.NOTE if internal else RequestEvent.Kind.MESSAGE
    with transaction.atomic():
        event = record_event(subsidy_request, kind=kind, user=user, text=text)
        if not internal:
            url = reverse("request_detail", args=[subsidy_request.pk])
            who = (
                staff_to_tell(subsidy_request)
                if not staff_side
                else association_managers(subsidy_request.association_id)
            )
            notify(
                who,
                Notification.Kind.REQUEST,
                f"Nouveau message sur la demande « {label(subsidy_request)} » : {text[:200]}",
                url,
            )
    return event
