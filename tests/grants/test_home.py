from decimal import Decimal

import pytest
from django.urls import reverse

from conventions.models import Convention
from tests.conventions.factories import ConventionFactory, JustificatifFactory
from tests.factories import AuthorityFactory, GrantFactory, UserFactory

pytestmark = pytest.mark.django_db


def todo(client, user):
    client.force_login(user)
    return client.get(reverse("home")).context["todo"]


def test_staff_home_lists_what_waits_with_links_to_each_list(client):
    convention = ConventionFactory(status=Convention.Status.READY)
    JustificatifFactory(convention=convention)
    GrantFactory(association=convention.association, amount=Decimal("23000.01"), year=2025)
    GrantFactory(association=convention.association, amount=Decimal("23000.00"), year=2026)
    lines = todo(client, UserFactory(authority=convention.authority))
    assert [(label, count) for label, count, _ in lines] == [
        ("Justificatifs déposés à examiner", 1),
        ("Conventions prêtes à signer par l'association", 1),
        ("Subventions de plus de 23\u00a0000\u00a0€ sans convention", 1),
    ]
    assert lines[1][2] == reverse("convention_list") + "?status=prete_signature"


def test_other_authorities_work_is_not_counted(client):
    JustificatifFactory()
    client.force_login(UserFactory(authority=AuthorityFactory()))
    response = client.get(reverse("home"))
    assert response.context["todo"] == []
    assert "Rien n'attend votre collectivité" in response.text


def test_staff_home_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    convention = ConventionFactory(status=Convention.Status.READY)
    for kind in ["comptes_annuels", "rapport_activite", "pv_ag"]:
        JustificatifFactory(convention=convention, kind=kind)
    client.force_login(UserFactory(authority=convention.authority))
    with django_assert_max_num_queries(13):
        client.get(reverse("home"))
