import pytest
from django.urls import reverse

from grants.models import Role
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ManagerFactory,
    StructureTypeFactory,
    ThematicDomainFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("association_list")


def names(response):
    return [a.name for a in response.context["page"].object_list]


@pytest.fixture
def authority():
    return AuthorityFactory()


@pytest.fixture
def instructor(authority):
    return UserFactory(authority=authority)


def test_staff_see_only_their_authoritys_associations(client, authority, instructor):
    AssociationFactory(authority=authority, name="Pôle SCS")
    AssociationFactory(name="Minalogic")  # another authority
    client.force_login(instructor)
    response = client.get(URL)
    assert names(response) == ["Pôle SCS"]
    assert "Minalogic" not in response.text


def test_platform_admin_sees_every_authority_with_its_name(client, authority):
    AssociationFactory(authority=authority, name="Pôle SCS")
    other = AssociationFactory(name="Minalogic")
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    response = client.get(URL)
    assert names(response) == ["Minalogic", "Pôle SCS"]
    assert other.authority.name in response.text


def test_manager_sees_only_their_association(client, authority):
    mine = AssociationFactory(authority=authority, name="Pôle SCS")
    AssociationFactory(authority=authority, name="Voisine")
    client.force_login(ManagerFactory(associations=[mine]))
    response = client.get(URL)
    assert names(response) == ["Pôle SCS"]
    assert "Nouvelle association" not in response.text


def test_search_by_name_acronym_or_siren(client, authority, instructor):
    AssociationFactory(authority=authority, name="Pôle Solutions", acronym="SCS")
    AssociationFactory(authority=authority, name="Minalogic", siren="244200770")
    client.force_login(instructor)
    assert names(client.get(URL, {"q": "scs"})) == ["Pôle Solutions"]
    assert names(client.get(URL, {"q": "244 200"})) == ["Minalogic"]
    assert names(client.get(URL, {"q": "pôle"})) == ["Pôle Solutions"]


def test_filters_by_structure_type_domain_and_city(client, authority, instructor):
    cluster = StructureTypeFactory(name="Pôle de compétitivité")
    incubator = StructureTypeFactory(name="Incubateur")
    photonics = ThematicDomainFactory(name="Photonique")
    a = AssociationFactory(authority=authority, name="A", structure_type=cluster, city="Rousset")
    a.domains.add(photonics)
    AssociationFactory(authority=authority, name="B", structure_type=incubator, city="Marseille")
    client.force_login(instructor)
    assert names(client.get(URL, {"structure_type": incubator.pk})) == ["B"]
    assert names(client.get(URL, {"domain": photonics.pk})) == ["A"]
    assert names(client.get(URL, {"city": "rous"})) == ["A"]
    response = client.get(URL, {"city": "Paris"})
    assert names(response) == []
    assert "Aucune association ne correspond à ces filtres" in response.text


def test_sorting_by_city_both_ways(client, authority, instructor):
    AssociationFactory(authority=authority, name="A", city="Marseille")
    AssociationFactory(authority=authority, name="B", city="Aubagne")
    AssociationFactory(authority=authority, name="C", city="Rousset")
    client.force_login(instructor)
    assert names(client.get(URL, {"ordering": "city"})) == ["B", "A", "C"]
    assert names(client.get(URL, {"ordering": "-city"})) == ["C", "A", "B"]


def test_pagination_keeps_the_filters(client, authority, instructor):
    for i in range(30):
        AssociationFactory(authority=authority, name=f"Asso {i:02d}", city="Marseille")
    client.force_login(instructor)
    response = client.get(URL, {"city": "Marseille"})
    assert len(names(response)) == 25
    assert "30 associations" in response.text
    assert "Page 1 sur 2" in response.text
    assert "city=Marseille&amp;page=2" in response.text
    assert names(client.get(URL, {"city": "Marseille", "page": 2})) == [
        f"Asso {i}" for i in range(25, 30)
    ]


def test_empty_list_invites_to_create_the_first_association(client, instructor):
    client.force_login(instructor)
    response = client.get(URL)
    assert "Aucune association n'est encore enregistrée" in response.text
    assert "Enregistrer la première association" in response.text


@pytest.mark.parametrize("rows", [3, 30])
def test_list_makes_a_fixed_number_of_queries(
    client, authority, instructor, rows, django_assert_max_num_queries
):
    domain = ThematicDomainFactory()
    for _ in range(rows):
        AssociationFactory(authority=authority).domains.add(domain)
    client.force_login(instructor)
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200
