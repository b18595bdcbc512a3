"""The state machine of a request as staff move it (grants/requests/instruction.py): every move
of rules.TRANSITIONS staff may make succeeds, every other pair of statuses is refused with a
French message; the reasons, the opinion and the amount are required where the rule says."""

import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from grants.models import Role
from grants.requests import instruction, rules
from grants.requests.models import RequestEvent, SubsidyRequest
from grants.requests.rules import Status
from tests.factories import GrantFactory, UserFactory
from tests.grants.requests.factories import SubsidyRequestFactory, deposited

pytestmark = pytest.mark.django_db

STAFF_MOVES = {(t.source, t.target) for t in rules.TRANSITIONS if t.actor == rules.STAFF}
ALL_PAIRS = [(s, t) for s, t in itertools.product(Status, Status) if s != t]
INSTRUCT_FIELDS = {"opinion": "favorable", "proposed_amount": Decimal("12000.00")}


def request_in(status):
    subsidy_request = SubsidyRequestFactory(reference="DEM-2027-0001")
    if status == Status.VOTED:
        grant = GrantFactory(association=subsidy_request.association)
        deposited(subsidy_request, status=status, grant=grant)
    elif status != Status.DRAFT:
        deposited(subsidy_request, status=status)
    return subsidy_request


def instructor_of(subsidy_request):
    return UserFactory(role=Role.INSTRUCTOR, authority=subsidy_request.authority)


def move(subsidy_request, target, user):
    fields = INSTRUCT_FIELDS if target == Status.INSTRUCTED else {}
    return instruction.request_staff_move(
        user=user,
        subsidy_request=subsidy_request,
        target=target,
        text="Motif lu par l'association",
        **fields,
    )


@pytest.mark.parametrize(("source", "target"), sorted(STAFF_MOVES))
def test_every_staff_move_of_the_rules_succeeds_and_is_recorded(source, target):
    subsidy_request = request_in(source)
    user = instructor_of(subsidy_request)
    move(subsidy_request, target, user)
    subsidy_request.refresh_from_db()
    assert subsidy_request.status == target
    event = subsidy_request.events.get(kind=RequestEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.author) == (source, target, user)


@pytest.mark.parametrize(
    ("source", "target"), [pair for pair in ALL_PAIRS if pair not in STAFF_MOVES]
)
def test_every_other_move_is_refused_by_staff_in_french(source, target):
    subsidy_request = request_in(source)
    with pytest.raises(ValidationError) as error:
        move(subsidy_request, target, instructor_of(subsidy_request))
    assert "ne peut pas passer au statut" in " ".join(error.value.messages)
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).status == source
    assert not subsidy_request.events.exists()


@pytest.mark.parametrize("target", sorted(rules.NEEDS_REASON))
def test_a_reason_is_required_where_the_association_must_read_why(target):
    subsidy_request = request_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="motif"):
        instruction.request_staff_move(
            user=instructor_of(subsidy_request),
            subsidy_request=subsidy_request,
            target=target,
            text="   ",
        )
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"opinion": "", "proposed_amount": Decimal("1000")}, "opinion"),
        ({"opinion": "favorable", "proposed_amount": None}, "proposed_amount"),
        ({"opinion": "favorable", "proposed_amount": Decimal("-1")}, "proposed_amount"),
    ],
)
def test_instructed_needs_an_opinion_and_a_proposed_amount(fields, field):
    subsidy_request = request_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError) as error:
        instruction.request_instruct(
            user=instructor_of(subsidy_request), subsidy_request=subsidy_request, **fields
        )
    assert field in error.value.message_dict
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).status == Status.IN_REVIEW


def test_instructing_stores_the_opinion_and_the_amount_at_the_cent():
    subsidy_request = request_in(Status.IN_REVIEW)
    instruction.request_instruct(
        user=instructor_of(subsidy_request),
        subsidy_request=subsidy_request,
        opinion="reserve",
        opinion_text="Budget à préciser.",
        proposed_amount=Decimal("10000.01"),
    )
    subsidy_request.refresh_from_db()
    assert subsidy_request.status == Status.INSTRUCTED
    assert subsidy_request.opinion == "reserve"
    assert subsidy_request.proposed_amount == Decimal("10000.01")


def test_taking_a_request_assigns_the_agent_when_nobody_was():
    subsidy_request = request_in(Status.SUBMITTED)
    user = instructor_of(subsidy_request)
    instruction.request_take(user=user, subsidy_request=subsidy_request)
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).assigned_to == user


def test_refusing_keeps_the_reason_and_the_date():
    subsidy_request = request_in(Status.IN_REVIEW)
    instruction.request_refuse(
        user=instructor_of(subsidy_request), subsidy_request=subsidy_request, text="Hors champ."
    )
    subsidy_request.refresh_from_db()
    assert subsidy_request.decision_reason == "Hors champ."
    assert subsidy_request.decided_at is not None


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_cannot_move_a_request(role):
    subsidy_request = request_in(Status.SUBMITTED)
    user = UserFactory(role=role, authority=subsidy_request.authority)
    with pytest.raises(PermissionDenied):
        instruction.request_take(user=user, subsidy_request=subsidy_request)


def test_another_authority_instructor_cannot_move_a_request():
    subsidy_request = request_in(Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        instruction.request_take(
            user=UserFactory(role=Role.INSTRUCTOR), subsidy_request=subsidy_request
        )


def test_asking_for_completion_mails_the_managers_through_the_task(
    django_capture_on_commit_callbacks,
):
    subsidy_request = request_in(Status.IN_REVIEW)
    manager = subsidy_request.created_by
    with django_capture_on_commit_callbacks(execute=True):
        instruction.request_ask_completion(
            user=instructor_of(subsidy_request),
            subsidy_request=subsidy_request,
            text="Joignez le RIB à jour.",
        )
    sent = [m for m in mail.outbox if manager.email in m.to]
    assert len(sent) == 1
    assert "Joignez le RIB à jour." in sent[0].body
    assert "à compléter" in sent[0].subject


def test_assigning_an_agent_of_another_authority_is_refused():
    subsidy_request = request_in(Status.SUBMITTED)
    with pytest.raises(ValidationError, match="agent instructeur de la collectivité"):
        instruction.request_assign(
            user=instructor_of(subsidy_request),
            subsidy_request=subsidy_request,
            agent=UserFactory(role=Role.INSTRUCTOR),
        )


def test_assigning_records_the_event_and_tells_the_agent(django_capture_on_commit_callbacks):
    subsidy_request = request_in(Status.SUBMITTED)
    agent = instructor_of(subsidy_request)
    with django_capture_on_commit_callbacks(execute=True):
        instruction.request_assign(
            user=instructor_of(subsidy_request), subsidy_request=subsidy_request, agent=agent
        )
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).assigned_to == agent
    assert subsidy_request.events.filter(kind=RequestEvent.Kind.ASSIGNED).count() == 1
    assert [m.to for m in mail.outbox] == [[agent.email]]


# ---- bulk moves: all or nothing ----------------------------------------------------------------


def test_a_bulk_move_is_all_or_nothing():
    first = request_in(Status.SUBMITTED)
    second = SubsidyRequestFactory(campaign=first.campaign)
    deposited(second, status=Status.SUBMITTED)
    user = instructor_of(first)
    # The second one was refused meanwhile: the batch stops and nothing moves.
    SubsidyRequest.objects.filter(pk=second.pk).update(status=Status.CLOSED)
    with pytest.raises(ValidationError, match="Aucune demande n'a été modifiée"):
        instruction.requests_bulk_move(user=user, requests=[first, second], target=Status.IN_REVIEW)
    assert SubsidyRequest.objects.get(pk=first.pk).status == Status.SUBMITTED
    assert not RequestEvent.objects.exists()


def test_the_bulk_plan_lists_the_rows_that_cannot_move_with_why():
    movable_one = request_in(Status.SUBMITTED)
    stuck = SubsidyRequestFactory(campaign=movable_one.campaign)
    deposited(stuck, status=Status.INSTRUCTED)
    movable, refused = instruction.bulk_plan([movable_one, stuck], Status.TO_COMPLETE)
    assert movable == [movable_one]
    assert refused[0][0] == stuck
    assert "instruite" in refused[0][1]


def test_instructed_is_not_a_bulk_target():
    subsidy_request = request_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="par lot"):
        instruction.requests_bulk_move(
            user=instructor_of(subsidy_request),
            requests=[subsidy_request],
            target=Status.INSTRUCTED,
        )
