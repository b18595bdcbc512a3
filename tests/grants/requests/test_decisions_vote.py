"""The vote of the deliberation moves its requests; grants removed from a draft free theirs."""

import datetime

import pytest
from django.urls import reverse

from deliberations.models import Deliberation
from grants.models import Role
from grants.requests.decisions import deliberation_create_from_requests
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from tests.deliberations.factories import BodyFactory, make_session
from tests.factories import UserFactory
from tests.grants.requests.factories import CampaignFactory, instructed

pytestmark = [
    pytest.mark.django_db,
]


def post_data(*parts):
    """What a browser posts back for these unbound forms and formsets, as served."""
    data = {}
    for part in parts:
        if hasattr(part, "management_form"):
            data.update(post_data(part.management_form, *part.forms))
            continue
        for name, field in part.fields.items():
            value = part[name].value()
            key = part.add_prefix(name)
            if isinstance(value, bool) or value is None:
                if value:
                    data[key] = "on"
                continue
            if hasattr(field, "widget") and isinstance(value, datetime.date):
                value = f"{value:%d/%m/%Y}"
            data[key] = str(getattr(value, "pk", value))
    return data


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def instructor(client, campaign):
    user = UserFactory(role=Role.INSTRUCTOR, authority=campaign.authority)
    client.force_login(user)
    return user


def statuses(*requests):
    return [SubsidyRequest.objects.get(pk=r.pk).status for r in requests]


def edit_page(client, deliberation):
    name = "deliberation_light_edit" if deliberation.is_light else "deliberation_edit"
    url = reverse(name, args=[deliberation.pk])
    context = client.get(url).context
    parts = [context["form"], context["grants"]]
    if "decisions" in context:
        parts.append(context["decisions"])
    return url, post_data(*parts)


def test_an_adopted_vote_makes_the_requests_voted(client, campaign, instructor):
    first, second = instructed(campaign), instructed(campaign)
    deliberation = deliberation_create_from_requests(instructor, campaign, [first, second])
    session = make_session(body=BodyFactory(authority=campaign.authority))
    url, data = edit_page(client, deliberation)
    data.update(session=str(session.pk), votes_for=str(session.attendance.votes_count))

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    deliberation.refresh_from_db()
    assert deliberation.is_adopted
    assert statuses(first, second) == [Status.VOTED, Status.VOTED]
    assert SubsidyRequest.objects.get(pk=first.pk).decided_at is not None


def test_a_rejected_light_vote_refuses_the_requests_with_the_reason(client, campaign, instructor):
    requests = [instructed(campaign), instructed(campaign)]
    deliberation = deliberation_create_from_requests(
        instructor,
        campaign,
        requests,
        Deliberation.Kind.LIGHT,
        body_name="Conseil métropolitain",
        session_date=datetime.date(2024, 6, 13),
    )
    url, data = edit_page(client, deliberation)
    data.update(votes_for="3", votes_against="50")

    assert client.post(url, data).status_code == 302
    refused = SubsidyRequest.objects.get(pk=requests[0].pk)
    assert refused.status == Status.REFUSED
    assert refused.decision_reason == f"Délibération n° {deliberation.number} rejetée."
    assert statuses(*requests) == [Status.REFUSED, Status.REFUSED]


def test_a_voted_request_keeps_its_vote(client, campaign, instructor):
    r = instructed(campaign)
    deliberation = deliberation_create_from_requests(
        instructor,
        campaign,
        [r],
        Deliberation.Kind.LIGHT,
        body_name="Conseil métropolitain",
        session_date=datetime.date(2024, 6, 13),
    )
    url, data = edit_page(client, deliberation)
    data.update(votes_for="50")
    assert client.post(url, data).status_code == 302
    assert statuses(r) == [Status.VOTED]

    url, data = edit_page(client, deliberation)
    data.update(votes_for="1", votes_against="50")
    response = client.post(url, data)

    assert response.status_code == 200
    assert "ont déjà été votées" in response.content.decode()
    deliberation.refresh_from_db()
    assert deliberation.is_adopted and statuses(r) == [Status.VOTED]


def test_a_grant_removed_from_the_draft_frees_its_request(client, campaign, instructor):
    kept, removed = (
        instructed(campaign, name="AAA gardée"),
        instructed(campaign, name="ZZZ retirée"),
    )
    deliberation = deliberation_create_from_requests(instructor, campaign, [kept, removed])
    url, data = edit_page(client, deliberation)
    grants = client.get(url).context["grants"]
    index = next(
        i for i, f in enumerate(grants.forms) if f.instance.association_id == removed.association_id
    )
    data[f"subventions-{index}-DELETE"] = "on"

    assert client.post(url, data).status_code == 302
    removed = SubsidyRequest.objects.get(pk=removed.pk)
    assert removed.grant is None and removed.status == Status.INSTRUCTED
    assert SubsidyRequest.objects.get(pk=kept.pk).grant.deliberation == deliberation
    assert deliberation.grants.count() == 1
    # Free again: it can go to the next deliberation.
    assert deliberation_create_from_requests(instructor, campaign, [removed]).grants.count() == 1


def test_deleting_the_draft_frees_its_requests(client, campaign, instructor):
    r = instructed(campaign)
    deliberation = deliberation_create_from_requests(instructor, campaign, [r])
    response = client.post(
        reverse("deliberation_delete", args=[deliberation.pk]), {"confirm": "on"}
    )

    assert response.status_code == 302
    assert not Deliberation.objects.filter(pk=deliberation.pk).exists()
    r = SubsidyRequest.objects.get(pk=r.pk)
    assert r.grant is None and r.status == Status.INSTRUCTED


def test_a_vote_typed_in_the_django_admin_moves_the_requests_too(campaign, instructor, rf):
    from django.contrib import admin
    from django.forms import modelform_factory

    from deliberations.admin import DeliberationAdminForm

    r = instructed(campaign)
    deliberation = deliberation_create_from_requests(
        instructor,
        campaign,
        [r],
        Deliberation.Kind.LIGHT,
        body_name="Conseil métropolitain",
        session_date=datetime.date(2024, 6, 13),
    )
    model_admin = admin.site._registry[Deliberation]
    request = rf.post("/")
    request.user = UserFactory(role=Role.ADMIN, authority=None)
    deliberation.votes_for = 40
    model_admin.save_model(request, deliberation, None, True)
    assert statuses(r) == [Status.VOTED]

    # Turning it into a rejection afterwards is refused by the admin's form, before saving.
    form_class = modelform_factory(
        Deliberation,
        form=DeliberationAdminForm,
        fields=["votes_for", "votes_against", "abstentions", "not_participating"],
    )
    data = {"votes_for": "1", "votes_against": "40", "abstentions": "0", "not_participating": "0"}
    form = form_class(data, instance=Deliberation.objects.get(pk=deliberation.pk))
    assert not form.is_valid()
    assert "ne peut plus devenir un rejet" in " ".join(form.non_field_errors())


def test_staff_cannot_move_a_request_the_draft_deliberation_decides(campaign, instructor):
    from django.core.exceptions import ValidationError

    from grants.requests import rules
    from grants.requests.services import request_move

    r = instructed(campaign)
    deliberation = deliberation_create_from_requests(instructor, campaign, [r])
    with pytest.raises(ValidationError) as error:
        request_move(r, Status.IN_REVIEW, user=instructor, actor=rules.STAFF)
    assert f"inscrite au projet de délibération n° {deliberation.number}" in str(error.value)
    assert statuses(r) == [Status.INSTRUCTED]


def test_the_request_page_offers_no_move_while_a_draft_deliberation_decides_it(
    client, campaign, instructor
):
    r = instructed(campaign)
    page = client.get(reverse("request_detail", args=[r.pk])).content.decode()
    assert reverse("request_move", args=[r.pk, Status.IN_REVIEW]) in page

    deliberation = deliberation_create_from_requests(instructor, campaign, [r])
    page = client.get(reverse("request_detail", args=[r.pk])).content.decode()
    assert reverse("request_move", args=[r.pk, Status.IN_REVIEW]) not in page
    assert f"inscrite au projet de délibération n° {deliberation.number}" in page
