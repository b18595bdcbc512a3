"""Light deliberations (saisie simplifiée): typed from the register of an assembly run in
another tool, checked (@ctes against the authority and the date), executory once transmitted
and published, completed later by attaching a session."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from deliberations import checks
from deliberations.models import Deliberation
from grants.models import Grant
from tests.deliberations.factories import BodyFactory, make_session
from tests.factories import AssociationFactory, AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db

SIREN = "244200770"


@pytest.fixture
def authority():
    return AuthorityFactory(siren=SIREN, department_code="042", name="Saint-Étienne Métropole")


@pytest.fixture
def instructor(client, authority):
    user = UserFactory(authority=authority)
    client.force_login(user)
    return user


def form_data(association, **overrides):
    data = {
        "number": "2024.00344",
        "body_name": "Bureau métropolitain",
        "session_date": "13/06/2024",
        "title": "Soutien aux associations de quartier",
        "votes_for": "60",
        "votes_against": "0",
        "abstentions": "2",
        "prefecture_received_on": "17/06/2024",
        "actes_identifier": "99_DE-042-244200770-20240613-D20240034410",
        "published_on": "18/06/2024",
        "subventions-TOTAL_FORMS": "1",
        "subventions-INITIAL_FORMS": "0",
        "subventions-MIN_NUM_FORMS": "0",
        "subventions-MAX_NUM_FORMS": "1000",
        "subventions-0-association": str(association.pk),
        "subventions-0-year": "2024",
        "subventions-0-amount": "15 000",
        "subventions-0-nature": "projet",
        "subventions-0-object": "Fête de quartier",
        "subventions-0-budget_imputation": "",
        "subventions-0-specific_expense": "on",
    }
    data.update(overrides)
    return data


def test_the_list_links_to_the_light_form(client, instructor):
    page = client.get(reverse("deliberation_list")).text
    assert reverse("deliberation_light_create") in page
    assert "Nouvelle délibération (saisie simplifiée)" in page
    form = client.get(reverse("deliberation_light_create")).text
    year = datetime.date.today().year
    assert f'value="{year}.00001"' in form  # the next number is proposed


def test_a_light_deliberation_is_executory_once_transmitted_and_published(
    client, instructor, authority
):
    association = AssociationFactory(authority=authority)
    response = client.post(reverse("deliberation_light_create"), form_data(association))
    assert response.status_code == 302, response.text
    deliberation = Deliberation.objects.get(number="2024.00344")
    assert deliberation.is_light and deliberation.session_id is None
    assert deliberation.status == Deliberation.Status.EXECUTORY
    assert deliberation.executory_date == datetime.date(2024, 6, 18)
    assert deliberation.actes_identifier == "99_DE-042-244200770-20240613-D20240034410"
    assert deliberation.vote_recorded_by == instructor
    grant = Grant.objects.get(deliberation=deliberation)
    assert grant.amount == 15000 and grant.specific_expense and grant.authority == authority
    detail = client.get(deliberation.get_absolute_url()).text
    assert "Saisie simplifiée" in detail and "Bureau métropolitain" in detail
    assert "Compléter en délibération complète" in detail
    light_edit = reverse("deliberation_light_edit", args=[deliberation.pk])
    for name in ("deliberation_edit", "deliberation_transmission"):
        assert client.get(reverse(name, args=[deliberation.pk]))["Location"] == light_edit
    found = checks.deliberation_checks(deliberation, today=datetime.date(2024, 7, 1))
    assert not checks.has_errors(found), [c.message for c in found if not c.ok]
    assert any(c.label == "Identifiant @ctes" and c.level == "ok" for c in found)


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("042-200054807-20240613-D20240034410-DE", "n&#x27;est pas celui de"),
        ("042-244200770-20240614-D20240034410-DE", "n&#x27;est pas celle de la"),
        ("pas un identifiant", "est mal formé"),
    ],
)
def test_the_actes_identifier_is_checked_against_the_authority_and_the_date(
    client, instructor, authority, identifier, message
):
    association = AssociationFactory(authority=authority)
    response = client.post(
        reverse("deliberation_light_create"),
        form_data(association, actes_identifier=identifier),
    )
    assert response.status_code == 200
    assert message in response.text
    # Nothing typed is lost.
    assert "Soutien aux associations de quartier" in response.text
    assert not Deliberation.objects.exists()


def test_only_adopted_and_dated_facts_are_accepted(client, instructor, authority):
    association = AssociationFactory(authority=authority)
    response = client.post(
        reverse("deliberation_light_create"),
        form_data(association, published_on="10/06/2024"),
    )
    assert "Cette date précède la séance du 13/06/2024." in response.text
    future = (datetime.date.today() + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    response = client.post(
        reverse("deliberation_light_create"), form_data(association, session_date=future)
    )
    assert "La séance ne peut pas être dans le futur." in response.text
    assert not Deliberation.objects.exists()


def test_without_transmission_it_is_adopted_and_says_what_is_missing(client, instructor, authority):
    association = AssociationFactory(authority=authority)
    data = form_data(association, prefecture_received_on="", actes_identifier="", published_on="")
    assert client.post(reverse("deliberation_light_create"), data).status_code == 302
    deliberation = Deliberation.objects.get()
    assert deliberation.status == Deliberation.Status.ADOPTED
    assert deliberation.executory_missing() == [
        "la transmission en préfecture (accusé de réception @ctes)",
        "la publication",
    ]
    # Completed later through the same form.
    url = reverse("deliberation_light_edit", args=[deliberation.pk])
    data = form_data(
        association,
        **{"subventions-TOTAL_FORMS": "0"},
    )
    assert client.post(url, data).status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.is_executory


def test_the_database_requires_body_and_date_of_a_light_one(authority):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliberation.objects.create(
            authority=authority, kind="simplifiee", number="1", title="x", body_name=""
        )


def test_it_is_completed_into_a_full_one_by_attaching_its_session(client, instructor, authority):
    association = AssociationFactory(authority=authority)
    client.post(reverse("deliberation_light_create"), form_data(association))
    deliberation = Deliberation.objects.get()
    body = BodyFactory(authority=authority, name="Bureau métropolitain")
    other_day = make_session(in_office=5, present=5, proxies=0, body=body,
                             date=datetime.date(2024, 6, 12),
                             convocation_date=datetime.date(2024, 6, 1))  # fmt: skip
    session = make_session(in_office=70, present=60, proxies=2, body=body,
                           date=datetime.date(2024, 6, 13),
                           convocation_date=datetime.date(2024, 6, 5))  # fmt: skip
    url = reverse("deliberation_light_complete", args=[deliberation.pk])
    page = client.get(url).text
    assert "du 13/06/2024" in page and "du 12/06/2024" not in page
    response = client.post(url, {"session": other_day.pk})
    assert response.status_code == 200 and not Deliberation.objects.get().session_id
    assert client.post(url, {"session": session.pk}).status_code == 302
    deliberation.refresh_from_db()
    assert not deliberation.is_light and deliberation.session == session
    assert deliberation.status == Deliberation.Status.EXECUTORY


def test_other_authorities_and_other_roles(client, authority):
    association = AssociationFactory(authority=authority)
    instructor = UserFactory(authority=authority)
    client.force_login(instructor)
    client.post(reverse("deliberation_light_create"), form_data(association))
    deliberation = Deliberation.objects.get()
    client.force_login(UserFactory(authority=AuthorityFactory()))
    assert client.get(reverse("deliberation_light_edit", args=[deliberation.pk])).status_code == 404
    client.force_login(UserFactory(authority=authority, role="financier"))
    assert client.get(reverse("deliberation_light_create")).status_code == 403
