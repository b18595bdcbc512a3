import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Association, GovernanceChange
from grants.models import Role
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    GrantFactory,
    ManagerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def association():
    return AssociationFactory(name="Pôle SCS", siren="244200770", representative_name="Fabien ALLI")


def detail(association):
    return reverse("association_detail", args=[association.pk])


def edit(association):
    return reverse("association_edit", args=[association.pk])


def test_detail_shows_identity_grants_and_convention_need(client, association):
    GrantFactory(association=association, year=2023, amount=Decimal("66000.00"))
    small = GrantFactory(association=association, year=2022, amount=Decimal("23000.00"))
    client.force_login(UserFactory(authority=association.authority))
    response = client.get(detail(association))
    assert "244200770" in response.text
    assert "M. Fabien ALLI, Président" in response.text
    assert "66\xa0000,00\xa0€" in response.text
    assert "23\xa0000,00\xa0€" in response.text
    assert response.text.count("Obligatoire (&gt; 23\u00a0000\u00a0€)") == 1
    # 23 000 € or less: no convention, the notification letter and the single payment instead.
    assert "Sans convention : notification et versement unique" in response.text
    assert reverse("small_grant_detail", args=[small.pk]) in response.text


@pytest.mark.parametrize("url_name", ["association_detail", "association_edit"])
def test_other_authoritys_staff_get_404(client, association, url_name):
    client.force_login(UserFactory(authority=AuthorityFactory()))
    assert client.get(reverse(url_name, args=[association.pk])).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["association_detail", "association_edit", "governance_change_create"]
)
def test_another_associations_manager_gets_404(client, association, url_name):
    other = AssociationFactory(authority=association.authority)
    client.force_login(ManagerFactory(associations=[other]))
    assert client.get(reverse(url_name, args=[association.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_cannot_edit(client, association, role):
    client.force_login(UserFactory(role=role, authority=association.authority))
    assert client.get(detail(association)).status_code == 200
    assert client.get(edit(association)).status_code == 403
    assert client.post(edit(association), {"name": "Piraté"}).status_code == 403
    assert client.get(reverse("association_create")).status_code == 403
    url = reverse("governance_change_create", args=[association.pk])
    assert client.get(url).status_code == 403


def test_instructor_creates_an_association_in_their_authority(client):
    instructor = UserFactory()
    client.force_login(instructor)
    response = client.post(
        reverse("association_create"),
        {
            "name": "Pôle SCS",
            "siren": "244 200 770",
            "siret": "24420077000018",
            "rna": "w133012345",
            "fiscal_year_end_day": 31,
            "fiscal_year_end_month": 12,
            "city": "Rousset",
        },
    )
    association = Association.objects.get()
    assert response.status_code == 302
    assert association.authority == instructor.authority
    assert association.siren == "244200770"
    assert association.rna == "W133012345"


def test_invalid_identifiers_are_refused_with_french_messages_and_nothing_saved(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("association_create"),
        {
            "name": "Pôle SCS",
            "siren": "244200771",
            "siret": "12345678900000",
            "rna": "W12",
            "fiscal_year_end_day": 31,
            "fiscal_year_end_month": 2,
        },
    )
    assert response.status_code == 200
    assert "clé de contrôle incorrecte" in response.text
    assert "W suivi de 9 chiffres" in response.text
    assert "Rien n'a été enregistré" in response.text
    assert Association.objects.count() == 0


def test_siret_must_start_with_the_siren(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("association_create"),
        {
            "name": "X",
            "siren": "244200770",
            "siret": "20005480700014",
            "fiscal_year_end_day": 31,
            "fiscal_year_end_month": 12,
        },
    )
    assert "Le SIRET doit commencer par le SIREN" in response.text


def test_impossible_financial_year_end_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("association_create"),
        {"name": "X", "fiscal_year_end_day": 31, "fiscal_year_end_month": 6},
    )
    assert "Cette date de clôture n&#x27;existe pas" in response.text


def test_duplicate_siren_in_the_same_authority_is_refused(client, association):
    client.force_login(UserFactory(authority=association.authority))
    response = client.post(
        reverse("association_create"),
        {
            "name": "Doublon",
            "siren": "244200770",
            "fiscal_year_end_day": 31,
            "fiscal_year_end_month": 12,
        },
    )
    assert "déjà ce SIREN" in response.text


def test_manager_edits_contact_details_only(client, association):
    manager = ManagerFactory(associations=[association])
    client.force_login(manager)
    response = client.get(edit(association))
    assert set(response.context["form"].fields) == {
        "address",
        "postal_code",
        "city",
        "email",
        "phone",
        "website",
        "contact_name",
    }
    client.post(
        edit(association),
        {"name": "Nouveau nom", "siren": "", "city": "Rousset", "email": "contact@scs.fr"},
    )
    association.refresh_from_db()
    assert association.city == "Rousset"
    assert association.email == "contact@scs.fr"
    assert association.name == "Pôle SCS"
    assert association.siren == "244200770"


def test_edits_are_kept_in_the_audit_history(client, association):
    instructor = UserFactory(authority=association.authority)
    client.force_login(instructor)
    data = {
        "name": "Pôle SCS renommé",
        "siren": "244200770",
        "fiscal_year_end_day": 31,
        "fiscal_year_end_month": 12,
    }
    client.post(edit(association), data)
    latest = association.history.first()
    assert latest.name == "Pôle SCS renommé"
    assert latest.history_user == instructor


def test_new_representative_updates_the_association_and_keeps_the_history(client, association):
    manager = ManagerFactory(associations=[association])
    client.force_login(manager)
    url = reverse("governance_change_create", args=[association.pk])
    response = client.post(
        url,
        {
            "kind": GovernanceChange.Kind.REPRESENTATIVE,
            "effective_date": "2024-06-20",
            "summary": "Élection du nouveau président par l'assemblée générale",
            "new_representative_civility": "Mme",
            "new_representative_name": "Claire MARTIN",
            "new_representative_title": "Présidente",
        },
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.representative == "Mme Claire MARTIN"
    change = association.governance_changes.get()
    assert change.recorded_by == manager
    assert change.effective_date == datetime.date(2024, 6, 20)
    page = client.get(detail(association)).text
    assert "20/06/2024 — Changement de représentant légal" in page


def test_an_older_representative_change_does_not_override_the_current_one(client, association):
    client.force_login(UserFactory(authority=association.authority))
    url = reverse("governance_change_create", args=[association.pk])
    base = {"kind": "representant", "summary": "AG", "new_representative_civility": "M."}
    client.post(url, {**base, "effective_date": "2024-06-20", "new_representative_name": "B"})
    client.post(url, {**base, "effective_date": "2022-01-10", "new_representative_name": "A"})
    association.refresh_from_db()
    assert association.representative_name == "B"
    assert association.governance_changes.count() == 2


def test_representative_change_without_a_name_is_refused(client, association):
    client.force_login(UserFactory(authority=association.authority))
    url = reverse("governance_change_create", args=[association.pk])
    response = client.post(
        url, {"kind": "representant", "effective_date": "2024-06-20", "summary": "AG"}
    )
    assert "Indiquez le nom du nouveau représentant légal" in response.text
    assert association.governance_changes.count() == 0


def test_identifier_inputs_accept_the_spaces_people_type(client):
    client.force_login(UserFactory())
    page = client.get(reverse("association_create")).text
    assert 'name="siren" maxlength="18"' in page


def test_staff_follow_the_grant_to_its_deliberation_managers_do_not(client, association):
    from deliberations.models import Deliberation

    deliberation = Deliberation.objects.create(
        authority=association.authority, number="2024.00344", title="Minalogic"
    )
    GrantFactory(association=association, deliberation=deliberation)
    link = f'href="{reverse("deliberation_detail", args=[deliberation.pk])}"'
    client.force_login(UserFactory(authority=association.authority))
    assert link in client.get(detail(association)).text
    client.force_login(ManagerFactory(associations=[association]))
    page = client.get(detail(association)).text
    assert "n° 2024.00344" in page and link not in page
