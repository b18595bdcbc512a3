"""The public page of an authority's campaigns (/aides/<SIREN>/): no login needed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.requests.models import AidScheme
from tests.factories import AuthorityFactory, ManagerFactory, StructureTypeFactory
from tests.grants.requests.factories import AidSchemeFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_anyone_reads_the_open_upcoming_and_closed_campaigns(client):
    scheme = AidSchemeFactory(
        name="Culture et patrimoine",
        description="Pour les associations culturelles.",
        required_pieces=["statuts", "comptes"],
    )
    scheme.eligible_structure_types.add(StructureTypeFactory(name="Association culturelle"))
    CampaignFactory(scheme=scheme, instructions="Dossier complet avant la clôture.")
    CampaignFactory(scheme=scheme, year=2040, opens_on=days(30), closes_on=days(60))
    CampaignFactory(scheme=scheme, year=2020, opens_on=days(-60), closes_on=days(-30))
    hidden = AidSchemeFactory(authority=scheme.authority, name="Ancien dispositif", is_active=False)
    CampaignFactory(scheme=hidden)
    response = client.get(reverse("public_campaigns", args=[scheme.authority.siren]))
    content = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Culture et patrimoine",
        "Pour les associations culturelles.",
        "Association culturelle",
        "Statuts en vigueur",
        "Derniers comptes annuels approuvés",
        "Dossier complet avant la clôture.",
        "Déposer une demande",
        f"/aides/{scheme.authority.siren}/inscription/",
        "à venir",
        "close",
        f"du {days(-10):%d/%m/%Y} au {days(20):%d/%m/%Y}",
    ):
        assert text in content, text
    assert content.count("Déposer une demande") == 1  # only the open campaign takes requests
    assert "Ancien dispositif" not in content


def test_staff_are_not_offered_to_file_a_request_but_their_campaign_s_requests(client):
    """« Déposer une demande » leads to « Mes demandes », which is a manager's page (403 for
    staff): an agent of the authority gets the campaign's requests instead, another
    authority's agent nothing."""
    from tests.grants.finance.factories import instructor_of

    campaign = CampaignFactory()
    url = reverse("public_campaigns", args=[campaign.authority.siren])
    client.force_login(instructor_of(campaign.authority))
    content = client.get(url).content.decode()
    assert "Déposer une demande" not in content
    assert reverse("campaign_detail", args=[campaign.pk]) in content
    client.force_login(instructor_of(AuthorityFactory()))
    content = client.get(url).content.decode()
    assert "Déposer une demande" not in content
    assert reverse("campaign_detail", args=[campaign.pk]) not in content
    client.force_login(ManagerFactory())
    content = client.get(url).content.decode()
    assert f'href="{reverse("request_list_mine")}">Déposer une demande' in content


def test_another_authority_campaigns_are_not_listed(client):
    campaign = CampaignFactory(scheme__name="Dispositif AUTRE")
    authority = AuthorityFactory()
    content = client.get(reverse("public_campaigns", args=[authority.siren])).content.decode()
    assert "Dispositif AUTRE" not in content
    assert "Aucune campagne n'est ouverte" in content
    assert campaign.scheme.authority != authority


def test_an_unknown_siren_is_404(client):
    assert client.get("/aides/123456789/").status_code == 404


def test_the_page_needs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    authority = AuthorityFactory()
    for _ in range(10):
        scheme = AidSchemeFactory(authority=authority)
        CampaignFactory(scheme=scheme)
    assert AidScheme.objects.filter(authority=authority).count() == 10
    with django_assert_max_num_queries(4):
        response = client.get(reverse("public_campaigns", args=[authority.siren]))
    assert response.status_code == 200


def test_the_page_carries_the_security_headers(client):
    authority = AuthorityFactory()
    response = client.get(reverse("public_campaigns", args=[authority.siren]))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
