"""Who sees the dashboards and the annex list, and a constant number of queries."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Role
from tests.factories import AssociationFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import BudgetLineFactory

from .factories import adopted, commit, convention_of, grant, known_data, payment

pytestmark = pytest.mark.django_db

PAGES = [
    ("dashboard", []),
    ("dashboard_export", ["dispositif"]),
    ("annex_list", []),
    ("annex_xlsx", []),
]


@pytest.fixture
def data():
    return known_data()


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_association_managers_are_refused(client, data, name, args):
    manager = ManagerFactory(associations=[data.culture_grant.association])
    client.force_login(manager)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_association_managers_are_refused_the_annex_pdf(client, data):
    client.force_login(ManagerFactory(associations=[data.culture_grant.association]))
    assert client.get(reverse("annex_pdf")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INSTRUCTOR, Role.FINANCE, Role.ADMIN])
def test_every_staff_role_of_the_authority_sees_its_dashboard(client, data, role):
    client.force_login(UserFactory(role=role, authority=data.authority))
    response = client.get(reverse("dashboard"), {"exercice": 2024})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tableaux de bord" in page and "Métropole A" in page
    # Authority B's 50 000 € never show.
    assert "50\u00a0000,00\u00a0€" not in page
    assert "10\u00a0000,10\u00a0€" in page and "8\u00a0000,08\u00a0€" in page
    # Staff of an authority have no authority selector.
    assert 'name="collectivite"' not in page


def test_the_menu_links_the_dashboards_for_staff_and_not_for_managers(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    assert reverse("dashboard") in client.get(reverse("home")).content.decode()
    client.force_login(ManagerFactory(associations=[data.culture_grant.association]))
    assert reverse("dashboard") not in client.get(reverse("home")).content.decode()


def test_staff_cannot_pick_another_authority(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    page = client.get(
        reverse("dashboard"), {"collectivite": data.other.pk, "exercice": 2024}
    ).content.decode()
    assert "Métropole A" in page and "50\u00a0000,00\u00a0€" not in page


def test_the_platform_administrator_chooses_the_authority(client, data):
    admin = UserFactory(role=Role.ADMIN, authority=None)
    client.force_login(admin)
    page = client.get(
        reverse("dashboard"), {"collectivite": data.other.pk, "exercice": 2024}
    ).content.decode()
    assert 'name="collectivite"' in page
    assert "Métropole B" in page and "50\u00a0000,00\u00a0€" in page
    assert "10\u00a0000,10\u00a0€" not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"exercice": "deux-mille"}, "n'est pas un choix possible pour « Exercice »"),
        ({"annees": "12"}, "n'est pas un choix possible pour « Comparer sur »"),
        ({"mesure": "<b>"}, "n'est pas un choix possible"),
    ],
)
def test_a_wrong_choice_is_explained_and_the_default_shown(client, data, params, message):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in html.unescape(page) and "Totaux par exercice" in page
    assert "<b>" not in page  # the wrong value is shown escaped


def test_an_unknown_authority_is_explained_to_the_platform_administrator(client, data):
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    response = client.get(reverse("dashboard"), {"collectivite": "999999"})
    assert response.status_code == 200
    assert "Cette collectivité n'existe pas" in html.unescape(response.content.decode())


def test_an_unknown_export_is_not_found(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    assert client.get(reverse("dashboard_export", args=["secret"])).status_code == 404


def _more_grants(authority, count, line):
    """`count` voted grants with a commitment, a convention and a paid payment each."""
    for index in range(count):
        association = AssociationFactory(authority=authority)
        item = grant(association, 2024, "1000.00", adopted(authority), f"Dispositif {index}")
        payment(
            convention_of(item),
            commit(item, line),
            "800.00",
            paid_date=datetime.date(2024, 1 + index % 12, 5),
        )


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("name", "args", "most"), [("dashboard", [], 25), ("annex_list", [], 8)])
def test_the_number_of_queries_does_not_grow_with_the_grants(
    client, data, django_assert_max_num_queries, name, args, most
):
    viewer = UserFactory(role=Role.VIEWER, authority=data.authority)
    client.force_login(viewer)
    url, params = reverse(name, args=args), {"exercice": 2024}
    line = BudgetLineFactory(authority=data.authority, year=2024, voted_credits=Decimal("1e6"))
    _more_grants(data.authority, 3, line)
    with_3 = _count_queries(client, url, params)
    _more_grants(data.authority, 27, line)
    with_30 = _count_queries(client, url, params)
    assert with_30 == with_3
    with django_assert_max_num_queries(most):
        client.get(url, params)


def test_the_annex_list_is_reachable_from_the_dashboards_and_the_finance_pages(client, data):
    client.force_login(UserFactory(role=Role.FINANCE, authority=data.authority))
    annex = reverse("annex_list")
    assert annex in client.get(reverse("dashboard")).content.decode()
    assert annex in client.get(reverse("budget_line_list")).content.decode()


def test_the_annex_list_of_the_compte_administratif_holds_the_voted_grants(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    page = client.get(
        reverse("annex_list"), {"exercice": 2024, "document": "compte-administratif"}
    ).content.decode()
    assert "1 subvention, 10\u00a0000,10\u00a0€" in page
    assert "Association X" in page and "Association Y" not in page


def test_the_annex_list_of_the_budget_adds_the_proposed_grants(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    page = client.get(
        reverse("annex_list"), {"exercice": 2024, "document": "budget"}
    ).content.decode()
    # 10 000,10 voted + 5 000,55 + 1 234,56 proposed; the rejected 999,99 is in neither list.
    assert "3 subventions, 16\u00a0235,21\u00a0€" in page
    assert "proposée" in page and "999,99" not in page


def test_an_unknown_annex_document_is_explained(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    response = client.get(reverse("annex_list"), {"document": "bilan"})
    assert response.status_code == 200
    assert "Document inconnu" in html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("dispositif", ["Culture", "Sport", "Sans dispositif"]),
        ("domaine", ["Culture", "Jeunesse", "Sans domaine"]),
        ("type", ["Association culturelle", "Club sportif", "Sans type de structure"]),
    ],
)
def test_the_page_shows_the_three_groupings_with_the_same_totals(client, data, group, expected):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    response = client.get(reverse("dashboard"), {"exercice": 2024})
    [grouping] = [g for g in response.context["groupings"] if g["dimension"].slug == group]
    breakdown = grouping["breakdown"]
    assert [row.label for row in breakdown.rows] == expected
    assert grouping["export_url"].startswith(reverse("dashboard_export", args=[group]))
    page = html.unescape(response.text)
    assert f'id="{group}-chart-title"' in page and grouping["dimension"].title in page
    assert breakdown.totals == dict(response.context["totals"])
    totals = dict(response.context["totals"])
    assert (totals[2024].proposed, totals[2024].voted, totals[2024].paid) == (
        Decimal("6235.11"),
        Decimal("10000.10"),
        Decimal("8000.08"),
    )
