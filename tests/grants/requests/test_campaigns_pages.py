"""Staff pages of the aid schemes and campaigns, the campaign's list of requests (filters, sums
against the envelope at the cent, a fixed number of queries) and its bulk actions."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import StructureType
from grants.models import Role
from grants.requests.instruction import campaign_sums
from grants.requests.models import AidScheme, Campaign, SubsidyRequest
from grants.requests.rules import Status
from tests.factories import AuthorityFactory, UserFactory
from tests.grants.requests.factories import (
    AidSchemeFactory,
    CampaignFactory,
    SubsidyRequestFactory,
    deposited,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor():
    return UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory())


def add_request(campaign, status=Status.SUBMITTED, **fields):
    return deposited(SubsidyRequestFactory(campaign=campaign), status=status, **fields)


# ---- schemes and campaigns -----------------------------------------------------------------------


def test_an_instructor_creates_a_scheme_from_the_menu(client, instructor):
    colleague = UserFactory(role=Role.INSTRUCTOR, authority=instructor.authority, last_name="Agent")
    StructureType.objects.create(name="Association culturelle")
    client.force_login(instructor)
    index = client.get(reverse("request_index")).content.decode()
    assert reverse("scheme_list") in index
    form = client.get(reverse("scheme_create")).content.decode()
    assert "Association culturelle" in form and "Relevé d&#x27;identité bancaire" in form
    response = client.post(
        reverse("scheme_create"),
        {
            "name": "Culture",
            "description": "Soutien aux associations culturelles",
            "nature": "fonctionnement",
            "required_pieces": ["statuts", "rib"],
            "letter_kind": "notification",
            "staff": [colleague.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = AidScheme.objects.get(name="Culture")
    assert scheme.authority == instructor.authority
    assert scheme.required_pieces == ["statuts", "rib"]
    assert list(scheme.staff.all()) == [colleague]


def test_a_scheme_refuses_an_agent_of_another_authority(client, instructor):
    foreign = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(instructor)
    response = client.post(
        reverse("scheme_create"),
        {
            "name": "Culture",
            "nature": "fonctionnement",
            "letter_kind": "notification",
            "staff": [foreign.pk],
        },
    )
    assert response.status_code == 200
    assert not AidScheme.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"opens_on": "2027-03-01", "closes_on": "2027-02-01"}, "La clôture ne peut précéder"),
        ({"envelope": "-1,00"}, "ne peut pas être négatif"),
        ({"envelope": "12,345"}, "au plus deux décimales"),
        ({"year": "2026"}, "déjà une campagne pour l&#x27;exercice 2026"),
    ],
)
def test_campaign_validation_in_french_keeps_what_was_typed(client, instructor, data, message):
    scheme = AidSchemeFactory(authority=instructor.authority)
    CampaignFactory(scheme=scheme, year=2026)
    client.force_login(instructor)
    payload = {
        "year": "2027",
        "title": "Campagne TAPEE",
        "opens_on": "2027-01-01",
        "closes_on": "2027-02-01",
        "envelope": "50 000,00",
        "instructions": "",
        **data,
    }
    response = client.post(reverse("campaign_create", args=[scheme.pk]), payload)
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content and "Campagne TAPEE" in content
    assert Campaign.objects.filter(scheme=scheme).count() == 1


def test_a_campaign_is_created_and_edited(client, instructor):
    scheme = AidSchemeFactory(authority=instructor.authority)
    client.force_login(instructor)
    response = client.post(
        reverse("campaign_create", args=[scheme.pk]),
        {
            "year": "2027",
            "opens_on": "2027-01-01",
            "closes_on": "2027-02-28",
            "envelope": "150 000,50",
        },
    )
    campaign = Campaign.objects.get(scheme=scheme)
    assert response.url == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.envelope == Decimal("150000.50") and campaign.authority == scheme.authority
    client.post(
        reverse("campaign_edit", args=[campaign.pk]),
        {"year": "2027", "opens_on": "2027-01-01", "closes_on": "2027-03-31", "envelope": "1"},
    )
    campaign.refresh_from_db()
    assert campaign.closes_on == datetime.date(2027, 3, 31)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_staff_see_the_campaigns_but_do_not_manage_them(client, role):
    campaign = CampaignFactory()
    user = UserFactory(role=role, authority=campaign.authority)
    client.force_login(user)
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("scheme_create")).status_code == 403
    assert client.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 403
    response = client.post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "affecter"})
    assert response.status_code == 403


def test_another_authority_campaign_is_404(client, instructor):
    campaign = CampaignFactory()
    client.force_login(instructor)
    for name in ("campaign_detail", "campaign_edit"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 404
    assert client.get(reverse("scheme_edit", args=[campaign.scheme.pk])).status_code == 404


# ---- the sums against the envelope ---------------------------------------------------------------


def test_the_envelope_sums_at_the_cent():
    campaign = CampaignFactory(envelope=Decimal("50000.00"))
    add_request(campaign, Status.INSTRUCTED, amount_requested=Decimal("10000.01"),
                proposed_amount=Decimal("9000.01"))  # fmt: skip
    add_request(campaign, Status.IN_REVIEW, amount_requested=Decimal("20000.02"))
    add_request(campaign, Status.INSTRUCTED, amount_requested=Decimal("30000.03"),
                proposed_amount=Decimal("25000.02"))  # fmt: skip
    add_request(campaign, Status.REFUSED, amount_requested=Decimal("7777.77"),
                proposed_amount=Decimal("7777.77"))  # fmt: skip
    SubsidyRequestFactory(campaign=campaign, amount_requested=Decimal("999.99"))  # a draft
    sums = campaign_sums(campaign)
    assert sums["asked"] == Decimal("60000.06")
    assert sums["proposed"] == Decimal("34000.03")
    assert sums["remaining"] == Decimal("15999.97")
    assert sums["count"] == 3
    refused = next(s for s in sums["per_status"] if s["status"] == Status.REFUSED)
    assert (refused["count"], refused["asked"], refused["counted"]) == (
        1,
        Decimal("7777.77"),
        False,
    )


def test_the_sums_are_one_query(django_assert_num_queries):
    campaign = CampaignFactory()
    add_request(campaign)
    with django_assert_num_queries(1):
        campaign_sums(campaign)


def test_the_campaign_page_shows_the_sums_and_an_overrun(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority, envelope=Decimal("10000"))
    add_request(campaign, Status.INSTRUCTED, amount_requested=Decimal("12000.00"),
                proposed_amount=Decimal("10000.50"))  # fmt: skip
    client.force_login(instructor)
    content = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "Enveloppe dépassée" in content
    assert "-0,50\xa0€" in content
    assert "10\xa0000,50\xa0€" in content


@pytest.mark.parametrize("rows", [3, 30])
def test_the_campaign_list_query_count_is_fixed(
    client, instructor, django_assert_max_num_queries, rows
):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    agent = UserFactory(role=Role.INSTRUCTOR, authority=instructor.authority)
    for _ in range(rows):
        add_request(campaign, assigned_to=agent)
    client.force_login(instructor)
    url = reverse("campaign_detail", args=[campaign.pk])
    # The same number of queries for 3 and 30 rows (no query per row); two of them are the
    # decisions' block (the proposals' sums, the campaign's deliberations).
    with django_assert_max_num_queries(11):
        response = client.get(url, {"ordering": "-asked", "assigned_to": agent.pk})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_index_query_count_is_fixed(client, instructor, django_assert_max_num_queries, rows):
    for _ in range(rows):
        campaign = CampaignFactory(scheme__authority=instructor.authority)
        add_request(campaign)
    client.force_login(instructor)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("request_index"))
    assert response.status_code == 200


def test_the_filters_narrow_the_list(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    small = add_request(campaign, amount_requested=Decimal("1000.00"))
    big = add_request(campaign, Status.IN_REVIEW, amount_requested=Decimal("50000.00"))
    small.association.name = "Les Jardins du Panier"
    small.association.save()
    client.force_login(instructor)
    url = reverse("campaign_detail", args=[campaign.pk])

    def shown(**params):
        return {r.pk for r in client.get(url, params).context["page"].object_list}

    assert shown() == {small.pk, big.pk}
    assert shown(status=Status.IN_REVIEW) == {big.pk}
    assert shown(q="jardins") == {small.pk}
    assert shown(amount_min="10 000,00") == {big.pk}
    assert shown(amount_max="1 000,00") == {small.pk}
    assert shown(unassigned="on") == {small.pk, big.pk}


# ---- bulk actions: a confirmation, then all or nothing -------------------------------------------


def test_bulk_status_change_confirms_then_moves_and_lists_what_cannot(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    one = add_request(campaign, reference="DEM-1")
    two = add_request(campaign, reference="DEM-2")
    stuck = add_request(campaign, Status.REFUSED, reference="DEM-3")
    client.force_login(instructor)
    url = reverse("campaign_bulk", args=[campaign.pk])
    data = {"action": Status.IN_REVIEW, "ids": [one.pk, two.pk, stuck.pk]}
    confirm = client.post(url, data)
    content = confirm.content.decode()
    assert "2 demandes" in content and "DEM-3" in content and "refusée" in content
    assert SubsidyRequest.objects.filter(status=Status.IN_REVIEW).count() == 0
    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    assert set(SubsidyRequest.objects.filter(status=Status.IN_REVIEW)) == {one, two}
    assert SubsidyRequest.objects.get(pk=stuck.pk).status == Status.REFUSED


def test_bulk_refusal_needs_a_reason(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    one = add_request(campaign)
    client.force_login(instructor)
    client.post(
        reverse("campaign_bulk", args=[campaign.pk]),
        {"action": Status.REFUSED, "ids": [one.pk], "confirm": "1"},
    )
    assert SubsidyRequest.objects.get(pk=one.pk).status == Status.SUBMITTED


def test_bulk_assignment(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    rows = [add_request(campaign) for _ in range(3)]
    agent = UserFactory(role=Role.INSTRUCTOR, authority=instructor.authority)
    client.force_login(instructor)
    client.post(
        reverse("campaign_bulk", args=[campaign.pk]),
        {"action": "affecter", "agent": agent.pk, "ids": [r.pk for r in rows], "confirm": "1"},
    )
    assert SubsidyRequest.objects.filter(assigned_to=agent).count() == 3


def test_bulk_ignores_requests_of_another_campaign_or_authority(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority)
    foreign = add_request(CampaignFactory())
    client.force_login(instructor)
    client.post(
        reverse("campaign_bulk", args=[campaign.pk]),
        {"action": Status.IN_REVIEW, "ids": [foreign.pk], "confirm": "1"},
    )
    assert SubsidyRequest.objects.get(pk=foreign.pk).status == Status.SUBMITTED


def test_the_index_counts_each_campaign_requests(client, instructor):
    campaign = CampaignFactory(scheme__authority=instructor.authority, title="Campagne COMPTEE")
    add_request(campaign)
    add_request(campaign, Status.IN_REVIEW)
    add_request(campaign, Status.INSTRUCTED)
    SubsidyRequestFactory(campaign=campaign)  # a draft: the association's own
    CampaignFactory(title="Campagne ETRANGERE")
    client.force_login(instructor)
    response = client.get(reverse("request_index"))
    row = response.context["page"].object_list[0]
    assert (row.n_deposited, row.n_to_instruct, row.n_instructed) == (3, 2, 1)
    content = response.content.decode()
    assert "Campagne COMPTEE" in content and "Campagne ETRANGERE" not in content


def test_a_manager_has_no_staff_pages(client):
    from tests.factories import ManagerFactory

    campaign = CampaignFactory()
    client.force_login(ManagerFactory())
    for url in (
        reverse("scheme_list"),
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("campaign_edit", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 403


def test_a_manager_typing_the_staff_index_lands_on_their_own_requests(client):
    from tests.factories import ManagerFactory

    client.force_login(ManagerFactory())
    response = client.get(reverse("request_index"))
    assert response.status_code == 302
    assert response.url == reverse("request_list_mine")
