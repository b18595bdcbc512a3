"""« Préparer la délibération »: the campaign's instructed requests, all checked, their total
against the envelope; confirm → the draft deliberation's page."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from deliberations.models import Deliberation
from grants.models import Role
from grants.requests.models import SubsidyRequest
from tests.factories import ManagerFactory, UserFactory
from tests.grants.requests.factories import CampaignFactory, instructed

pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture
def campaign():
    return CampaignFactory(envelope=Decimal("40000.00"))


@pytest.fixture
def instructor(client, campaign):
    user = UserFactory(role=Role.INSTRUCTOR, authority=campaign.authority)
    client.force_login(user)
    return user


def nbsp(text):
    return text.replace("\u00a0", " ")


def test_the_page_lists_the_proposals_checked_with_their_total(client, campaign, instructor):
    first = instructed(campaign, proposed="30000.00", name="Théâtre")
    second = instructed(campaign, proposed="15000.50", name="Chorale")
    page = nbsp(
        client.get(reverse("campaign_deliberation_prepare", args=[campaign.pk])).content.decode()
    )
    for r in (first, second):
        assert f'name="demandes" value="{r.pk}" id="demande-{r.pk}" checked' in page
    assert "45 000,50 €" in page  # the total
    assert "40 000,00 €" in page  # the envelope
    assert "l'enveloppe est dépassée de 5 000,50 €" in nbsp(page.replace("&#x27;", "'"))


def test_confirming_creates_the_draft_and_opens_it(client, campaign, instructor):
    kept = instructed(campaign, proposed="12000.00")
    left = instructed(campaign, proposed="3000.00")
    url = reverse("campaign_deliberation_prepare", args=[campaign.pk])
    response = client.post(
        url,
        {"demandes": [kept.pk], "kind": "complete", "number": "2026.00101", "title": "Culture"},
    )
    deliberation = Deliberation.objects.get(number="2026.00101")
    assert response.url == deliberation.get_absolute_url()
    assert [g.amount for g in deliberation.grants.all()] == [Decimal("12000.00")]
    assert SubsidyRequest.objects.get(pk=left.pk).grant is None
    page = client.get(response.url).content.decode()
    assert "Conventions et lettres des demandes" in page
    assert "Voir ce qui sera produit après le vote" in page


def test_a_refused_selection_says_why_and_keeps_what_was_typed(client, campaign, instructor):
    r = instructed(campaign)
    url = reverse("campaign_deliberation_prepare", args=[campaign.pk])
    response = client.post(
        url, {"kind": "simplifiee", "number": "2026.00102", "title": "Mon titre", "body_name": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez l&#x27;instance qui délibère." in page
    assert "Mon titre" in page and 'value="2026.00102"' in page
    assert f'value="{r.pk}" id="demande-{r.pk}" checked' not in page  # nothing was checked

    response = client.post(url, {"kind": "complete", "number": "2026.00102", "title": "Mon titre"})
    assert "Sélectionnez au moins une demande instruite" in response.content.decode()
    assert not Deliberation.objects.exists()


def test_other_roles_and_authorities_cannot_prepare(client, campaign):
    url = reverse("campaign_deliberation_prepare", args=[campaign.pk])
    for user, status in (
        (UserFactory(role=Role.VIEWER, authority=campaign.authority), 403),
        (UserFactory(role=Role.INSTRUCTOR), 404),
        (ManagerFactory(), 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_the_campaign_include_summarises_the_proposals(campaign, instructor):
    instructed(campaign, proposed="10000.00")
    request = RequestFactory().get("/")
    request.user = instructor
    html = nbsp(
        render_to_string(
            "grants/requests/includes/campaign_decisions.html",
            {"campaign": campaign, "user": instructor},
            request=request,
        )
    )
    assert "1 demande — 10 000,00 €" in html
    assert reverse("campaign_deliberation_prepare", args=[campaign.pk]) in html
    assert "30 000,00 € disponibles" in html


def test_the_campaign_include_links_its_deliberations(client, campaign, instructor):
    r = instructed(campaign, proposed="10000.00")
    url = reverse("campaign_deliberation_prepare", args=[campaign.pk])
    client.post(url, {"demandes": [r.pk], "kind": "complete", "number": "2026.00777", "title": "T"})
    html = render_to_string(
        "grants/requests/includes/campaign_decisions.html",
        {"campaign": campaign, "user": instructor},
    )
    deliberation = Deliberation.objects.get(number="2026.00777")
    assert f'href="{deliberation.get_absolute_url()}">n° 2026.00777</a> (brouillon)' in html
    assert "Aucune demande instruite n'attend une délibération." in html
