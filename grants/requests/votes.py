"""What the vote of a deliberation does to the requests it decides, and what removing a grant
from a draft does to its request.

Called explicitly by every code path that records a vote or removes grants
(deliberations.services.deliberation_save, save_grants, deliberation_delete;
deliberations.light.light_deliberation_save and light_deliberation_complete; the Django admin's
DeliberationAdmin.save_model). Imports no deliberations module, so that those can import it.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.requests import rules
from grants.requests.models import RequestEvent, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import request_move


def _requests_of(deliberation):
    return list(
        SubsidyRequest.objects.filter(grant__deliberation=deliberation)
        .select_related("association")
        .order_by("pk")
    )


def _names(requests):
    return ", ".join(sorted(r.association.name for r in requests))


def vote_conflict(deliberation, requests=None):
    """Why the deliberation's recorded vote contradicts its requests, in French, or "": once
    requests are voted, the vote can neither become a rejection nor be erased (the Django admin
    checks it before saving; the pages through requests_follow_vote)."""
    if deliberation.pk is None:
        return ""
    requests = _requests_of(deliberation) if requests is None else requests
    voted = [r for r in requests if r.status == Status.VOTED]
    if not voted or deliberation.is_adopted:
        return ""
    if deliberation.has_sitting and deliberation.vote_recorded:
        return (
            f"Les demandes de {_names(voted)} ont déjà été votées par cette délibération : son "
            "vote ne peut plus devenir un rejet."
        )
    return (
        f"Les demandes de {_names(voted)} ont déjà été votées par cette délibération : son vote "
        "et sa séance ne peuvent plus être effacés."
    )


def requests_follow_vote(deliberation, user):
    """Move the deliberation's requests after its vote: adopted → « votée »; rejected →
    « refusée » with the reason « Délibération n° … rejetée ». Raises ValidationError (French)
    when the vote contradicts requests already voted (see vote_conflict), so that the caller's
    transaction keeps the vote as it was.

    Returns the requests moved.
    """
    if deliberation.pk is None:
        return []
    requests = _requests_of(deliberation)
    if not requests:
        return []
    if conflict := vote_conflict(deliberation, requests):
        raise ValidationError(conflict)
    if deliberation.is_adopted:
        target, text = Status.VOTED, ""
    elif deliberation.has_sitting and deliberation.vote_recorded:
        target, text = Status.REFUSED, f"Délibération n° {deliberation.number} rejetée."
    else:
        return []
    return [
        request_move(r, target, user=user, actor=rules.VOTE, text=text)
        for r in requests
        if r.status == Status.INSTRUCTED
    ]


def requests_unlink(grants, *, user, reason):
    """The requests of grants leaving a draft deliberation (deleted from it, or with it) are
    free again: their grant is unset and they stay (or are again) « instruite » for the next
    deliberation. A voted request keeps its grant: the caller refuses such a removal before.

    `grants`: Grant rows or ids. Two queries whatever their number.
    """
    ids = [getattr(g, "pk", g) for g in grants]
    if not ids:
        return 0
    requests = list(
        SubsidyRequest.objects.filter(grant_id__in=ids).exclude(status=Status.VOTED).only("pk")
    )
    if not requests:
        return 0
    now = timezone.now()
    SubsidyRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        grant=None, updated_at=now
    )
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request_id=r.pk, kind=RequestEvent.Kind.NOTE, author=user, text=reason, created_at=now
        )
        for r in requests
    )
    return len(requests)


def voted_request_blocks(grant):
    """The French reason a grant cannot leave its deliberation because of its request, or ""."""
    subsidy_request = SubsidyRequest.objects.filter(grant=grant).only("status").first()
    if subsidy_request is not None and subsidy_request.status == Status.VOTED:
        return "demande de subvention votée"
    return ""
