"""The life of a subsidy request (DOMAIN.md §7): its statuses, who moves it from one to the
next, and the pure rules on dates and envelopes. No model is imported here.

brouillon → déposée → en instruction (→ à compléter → déposée again) → instruite (avis,
montant proposé) → votée, or refusée / classée sans suite (a letter says why).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Status(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "deposee", "Déposée"
    IN_REVIEW = "instruction", "En instruction"
    TO_COMPLETE = "a_completer", "À compléter"
    INSTRUCTED = "instruite", "Instruite"
    VOTED = "votee", "Votée"
    REFUSED = "refusee", "Refusée"
    CLOSED = "classee", "Classée sans suite"


# Who makes each move: the association (its managers) or the authority's staff; "vote" moves
# follow the deliberation that decides the proposal, never a button.
ASSOCIATION = "association"
STAFF = "staff"
VOTE = "vote"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor: str
    label: str  # the button's words


TRANSITIONS = [
    Transition(Status.DRAFT, Status.SUBMITTED, ASSOCIATION, "Déposer la demande"),
    Transition(Status.TO_COMPLETE, Status.SUBMITTED, ASSOCIATION, "Redéposer la demande corrigée"),
    Transition(Status.SUBMITTED, Status.IN_REVIEW, STAFF, "Prendre en instruction"),
    Transition(Status.SUBMITTED, Status.TO_COMPLETE, STAFF, "Demander des compléments"),
    Transition(Status.IN_REVIEW, Status.TO_COMPLETE, STAFF, "Demander des compléments"),
    Transition(Status.IN_REVIEW, Status.INSTRUCTED, STAFF, "Clore l'instruction"),
    Transition(Status.INSTRUCTED, Status.IN_REVIEW, STAFF, "Rouvrir l'instruction"),
    Transition(Status.SUBMITTED, Status.REFUSED, STAFF, "Refuser"),
    Transition(Status.IN_REVIEW, Status.REFUSED, STAFF, "Refuser"),
    Transition(Status.INSTRUCTED, Status.REFUSED, STAFF, "Refuser"),
    Transition(Status.SUBMITTED, Status.CLOSED, STAFF, "Classer sans suite"),
    Transition(Status.IN_REVIEW, Status.CLOSED, STAFF, "Classer sans suite"),
    Transition(Status.TO_COMPLETE, Status.CLOSED, STAFF, "Classer sans suite"),
    Transition(Status.INSTRUCTED, Status.CLOSED, STAFF, "Classer sans suite"),
    Transition(Status.INSTRUCTED, Status.VOTED, VOTE, "Voter"),
    Transition(Status.INSTRUCTED, Status.REFUSED, VOTE, "Rejeter"),
]

# Statuses in which the association may still change what it typed.
EDITABLE_BY_ASSOCIATION = {Status.DRAFT, Status.TO_COMPLETE}
# Statuses that end the request.
FINAL = {Status.VOTED, Status.REFUSED, Status.CLOSED}
# Statuses whose amounts count against the campaign's envelope (asked / proposed).
COUNTED = {Status.SUBMITTED, Status.IN_REVIEW, Status.TO_COMPLETE, Status.INSTRUCTED, Status.VOTED}
# Moves that need a text: what to correct, or why it is refused or closed.
NEEDS_REASON = {Status.TO_COMPLETE, Status.REFUSED, Status.CLOSED}


def transition(source, target, actor=None):
    """The allowed move from `source` to `target` (by `actor` if given), or None."""
    for move in TRANSITIONS:
        if move.source == source and move.target == target and actor in (None, move.actor):
            return move
    return None


def moves_from(source, actor):
    """The moves `actor` may make from `source`, in the order of TRANSITIONS."""
    return [move for move in TRANSITIONS if move.source == source and move.actor == actor]


def campaign_is_open(opens_on, closes_on, today):
    """A campaign takes requests from its opening day to its closing day, both included."""
    return opens_on <= today <= closes_on


def envelope_balance(envelope: Decimal, proposed: Decimal) -> Decimal:
    """What remains of the envelope once the proposed amounts are taken (negative: over)."""
    return envelope - proposed
