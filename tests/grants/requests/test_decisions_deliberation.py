"""From the instructed requests of a campaign to the draft deliberation that grants them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliberations.models import Deliberation
from grants.models import GrantNature, Role
from grants.requests.decisions import deliberation_create_from_requests
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from tests.factories import UserFactory
from tests.grants.requests.factories import (
    AidSchemeFactory,
    CampaignFactory,
    SubsidyRequestFactory,
    deposited,
    instructed,
)

pytestmark = [
    pytest.mark.django_db,
]


def spaces(text):
    return text.replace("\u00a0", " ")


@pytest.fixture
def campaign():
    scheme = AidSchemeFactory(
        name="Fonctionnement des associations culturelles", budget_imputation="65748"
    )
    return CampaignFactory(scheme=scheme, envelope=Decimal("100000.00"))


@pytest.fixture
def instructor(campaign):
    return UserFactory(role=Role.INSTRUCTOR, authority=campaign.authority)


def test_two_requests_become_a_draft_deliberation_with_two_grants(campaign, instructor):
    theatre = instructed(
        campaign, proposed="30000.00", asked="40000.00", name="Théâtre du Port", title="Saison"
    )
    choir = instructed(campaign, proposed="5000.00", name="Chorale du Panier", title="Concerts")

    deliberation = deliberation_create_from_requests(
        instructor, campaign, [theatre, choir], Deliberation.Kind.COMPLETE
    )

    assert deliberation.status == Deliberation.Status.DRAFT
    assert deliberation.session is None and deliberation.created_by == instructor
    grants = {g.association.name: g for g in deliberation.grants.all()}
    assert grants["Théâtre du Port"].amount == Decimal("30000.00")
    assert grants["Théâtre du Port"].object == "Saison"
    assert grants["Chorale du Panier"].amount == Decimal("5000.00")
    assert grants["Chorale du Panier"].object == "Concerts"
    for grant in grants.values():
        assert grant.year == campaign.year
        assert grant.nature == GrantNature.OPERATING
        assert grant.aid_scheme_label == "Fonctionnement des associations culturelles"
        assert grant.budget_imputation == "65748"
        assert grant.authority_id == campaign.authority_id
    theatre.refresh_from_db()
    assert theatre.grant == grants["Théâtre du Port"]
    assert theatre.status == Status.INSTRUCTED
    statement = spaces(deliberation.statement)
    assert "**Théâtre du Port** — Saison : 40 000,00 € demandés, 30 000,00 € proposés" in statement
    assert "**Chorale du Panier** — Concerts : 5 000,00 € demandés, 5 000,00 €" in statement
    assert "montant total de 35 000,00 €" in statement
    articles = [spaces(d.text) for d in deliberation.decisions.all()]
    assert "Théâtre du Port : 30 000,00 € (Saison)" in articles[0]
    assert any("conventions à conclure avec Théâtre du Port" in a for a in articles)
    assert articles[-1].endswith("sur le compte : 65748.")


def test_a_project_scheme_makes_grants_affected_to_a_specific_expense(instructor, campaign):
    campaign.scheme.nature = GrantNature.PROJECT
    campaign.scheme.save()
    r = instructed(campaign, proposed="8000.00")
    deliberation = deliberation_create_from_requests(
        instructor,
        campaign,
        [r.pk],
        Deliberation.Kind.LIGHT,
        number="2026.00042",
        title="Projets culturels",
        body_name="Conseil métropolitain",
        session_date=campaign.opens_on,
    )
    grant = deliberation.grants.get()
    assert deliberation.is_light and deliberation.number == "2026.00042"
    assert grant.specific_expense and grant.nature == GrantNature.PROJECT


def test_fifty_requests_in_a_fixed_number_of_queries(
    campaign, instructor, django_assert_max_num_queries
):
    requests = [instructed(campaign, proposed="1000.00") for _ in range(50)]
    with django_assert_max_num_queries(16):
        deliberation = deliberation_create_from_requests(
            instructor, campaign, requests, Deliberation.Kind.COMPLETE
        )
    assert deliberation.grants.count() == 50
    assert SubsidyRequest.objects.filter(grant__deliberation=deliberation).count() == 50


def test_two_requests_take_as_many_queries_as_fifty(campaign, instructor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 50):
        requests = [instructed(campaign, proposed="1000.00") for _ in range(size)]
        with CaptureQueriesContext(connection) as queries:
            deliberation_create_from_requests(instructor, campaign, requests)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def refusal(instructor, campaign, requests, **kwargs):
    with pytest.raises(ValidationError) as error:
        deliberation_create_from_requests(instructor, campaign, requests, **kwargs)
    assert not Deliberation.objects.exists()
    return " ".join(error.value.messages)


def test_bad_selections_are_refused_in_french(campaign, instructor):
    assert "Sélectionnez au moins une demande" in refusal(instructor, campaign, [])

    in_review = deposited(SubsidyRequestFactory(campaign=campaign), status=Status.IN_REVIEW)
    assert "seules les demandes instruites" in refusal(instructor, campaign, [in_review])

    other_campaign = CampaignFactory(
        scheme=AidSchemeFactory(authority=campaign.authority), year=campaign.year - 1
    )
    elsewhere = instructed(other_campaign)
    assert "relève d'une autre campagne" in refusal(instructor, campaign, [elsewhere])

    foreign = instructed(CampaignFactory())
    assert "relève d'une autre collectivité" in refusal(instructor, campaign, [foreign])

    zero = instructed(campaign, proposed="0.00", asked="1000.00")
    assert "montant proposé nul" in refusal(instructor, campaign, [zero])

    light = instructed(campaign)
    message = refusal(instructor, campaign, [light], kind=Deliberation.Kind.LIGHT)
    assert "l'instance et la date de la séance" in message


def test_a_request_already_in_a_deliberation_is_not_proposed_twice(campaign, instructor):
    r = instructed(campaign)
    first = deliberation_create_from_requests(instructor, campaign, [r])
    with pytest.raises(ValidationError) as error:
        deliberation_create_from_requests(instructor, campaign, [r])
    assert f"déjà inscrite à la délibération n° {first.number}" in " ".join(error.value.messages)
    assert Deliberation.objects.count() == 1


def test_only_the_authoritys_instructors_prepare_the_deliberation(campaign):
    r = instructed(campaign)
    for user in (
        UserFactory(role=Role.VIEWER, authority=campaign.authority),
        UserFactory(role=Role.INSTRUCTOR),
    ):
        with pytest.raises(PermissionDenied):
            deliberation_create_from_requests(user, campaign, [r])
    assert not Deliberation.objects.exists()
