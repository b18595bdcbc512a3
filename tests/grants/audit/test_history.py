"""The "Historique" of the detail pages: who changed which amount, when, old → new; staff only;
a fixed number of queries whatever the length of the history."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.finance import services
from grants.models import Payment, Role
from tests.factories import GrantFactory, UserFactory
from tests.grants.finance.factories import (
    CommitmentFactory,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


def history_section(response):
    text = response.content.decode()
    assert 'id="audit-title"' in text, "no Historique section"
    return text[text.index('id="audit-title"') :]


@pytest.fixture
def convention():
    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    CommitmentFactory(grant=convention.grants.get(), amount=D("66000.00"))
    return convention


def test_the_association_page_shows_who_changed_a_grant_amount(client):
    grant = GrantFactory(amount=D("62500.00"))
    instructor = UserFactory(
        role=Role.INSTRUCTOR, authority=grant.authority, first_name="Marie", last_name="Durand"
    )
    grant.amount = D("60000.00")
    grant._history_user = instructor
    grant.save()
    client.force_login(instructor)
    section = history_section(client.get(grant.association.get_absolute_url()))
    assert "Marie Durand" in section
    assert "Subvention — 2024" in section
    assert "<del>62\xa0500,00\xa0€</del> → <ins>60\xa0000,00\xa0€</ins>" in section
    assert timezone.localtime().strftime("%d/%m/%Y") in section


def test_the_payment_timeline_shows_each_money_step_by_its_author(client, convention):
    manager = manager_of(convention)
    instructor = instructor_of(convention.authority, first_name="Ines", last_name="Certif")
    finance = finance_of(convention.authority, first_name="Fred", last_name="Mandat")
    client.force_login(manager)
    response = client.post(
        reverse("payment_request", args=[convention.pk, Payment.Kind.ADVANCE]),
        {"amount": "52 800,00", "signer_name": "Fabien ALLI", "certified": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = Payment.objects.get()
    client.force_login(instructor)
    assert client.post(reverse("payment_certify", args=[payment.pk])).status_code == 302
    client.force_login(finance)
    today = timezone.localdate()
    response = client.post(
        reverse("payment_order", args=[payment.pk]),
        {
            "number": "M-2024-77",
            "date": today.isoformat(),
            "commitment": convention.grants.get().commitment.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    section = history_section(client.get(reverse("payment_timeline", args=[convention.pk])))
    assert "Fred Mandat" in section and "Ines Certif" in section
    assert "Versement — Acompte" in section
    assert "<ins>M-2024-77</ins>" in section
    assert "Service fait certifié, à mandater</del> → <ins>Mandaté" in section


def test_the_convention_page_shows_its_changes(client, convention):
    instructor = instructor_of(convention.authority)
    convention.advance_percentage = D("50.00")
    convention._history_user = instructor
    convention.save()
    client.force_login(instructor)
    section = history_section(client.get(convention.get_absolute_url()))
    assert "<ins>50,00\xa0%</ins>" in section


def test_managers_do_not_see_the_internal_history(client, convention):
    client.force_login(manager_of(convention))
    for url in (
        convention.get_absolute_url(),
        reverse("payment_timeline", args=[convention.pk]),
        convention.association.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert 'id="audit-title"' not in response.content.decode()


def test_the_history_costs_the_same_queries_whatever_its_length(
    client, convention, django_assert_max_num_queries
):
    finance = finance_of(convention.authority)
    client.force_login(finance)
    url = reverse("payment_timeline", args=[convention.pk])
    manager = manager_of(convention)
    payment = services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.ADVANCE,
        amount=D("52800.00"),
        signer_name="Fabien ALLI",
        certified=True,
    )
    payment.signer_name = "Fabien ALLI (président)"
    payment.save()
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for number in range(15):
        payment.signer_name = f"Signataire {number}"
        payment._history_user = UserFactory(authority=convention.authority)
        payment.save()
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Signataire") >= 15
