"""The advance of a convention from request to payment, in Chromium, with axe-core checks."""

from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import Payment
from tests.browser.utils import assert_accessible, login
from tests.grants.finance.factories import (
    BudgetLineFactory,
    CommitmentFactory,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def test_an_advance_is_requested_certified_ordered_and_paid(page, live_server):
    convention = convention_with(
        "66000.00", association__name="Pôle SCS", association__authority__name="Métropole AMP"
    )
    attach_forecast(convention, "953530.00")
    line = BudgetLineFactory(
        authority=convention.authority, year=2023, service_codes="DEVECO/INNOV"
    )
    CommitmentFactory(grant=convention.grants.get(), budget_line=line, number="2023-EJ-1847")
    manager_of(convention, username="asso")
    instructor_of(convention.authority, username="marie")
    finance_of(convention.authority, username="paul")
    timeline = f"{live_server.url}/finances/conventions/{convention.pk}/versements/"

    # The association asks for its advance; one cent above 80 % is refused, nothing is lost.
    login(page, live_server, "asso")
    page.goto(timeline)
    assert_accessible(page)
    page.get_by_role("link", name="Demander l'acompte").click()
    amount = page.get_by_label("Montant de l'acompte demandé (€)")
    assert amount.input_value() == "52\xa0800,00"
    amount.fill("52 800,01")
    page.get_by_label("Je certifie la réalité de la dépense").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "soit 52\xa0800,00\xa0€ (art. 4.3)" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Montant de l'acompte demandé (€)").fill("52 800,00")
    page.get_by_label("Je certifie la réalité de la dépense").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url(timeline)
    assert "Acompte demandé" in page.locator("main").inner_text()

    # Staff certify the service fait from the queue.
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name="Finances").click()
    assert_accessible(page)
    page.get_by_role("link", name="Certifier le versement de Pôle SCS").click()
    page.get_by_role("button", name="Certifier le service fait").click()
    page.wait_for_url(timeline)

    # Finance orders the payment, then records it.
    switch_user(page, live_server, "paul")
    page.goto(f"{live_server.url}/finances/?state=a_mandater")
    page.get_by_role("link", name="Mandater le versement de Pôle SCS").click()
    # The mandat pays the association's validated bank details, shown before confirming.
    assert "FR76 3000 6000 0112 3456 7890 189" in page.locator("main").inner_text()
    page.get_by_label("Numéro du mandat").fill("2023-M-004512")
    page.get_by_role("button", name="Enregistrer le mandat").click()
    page.wait_for_url(timeline)
    page.get_by_role("link", name="Constater le paiement").click()
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.wait_for_url(timeline)
    assert_accessible(page)
    text = page.locator("main").inner_text()
    assert "Acompte payé" in text
    assert "mandat n° 2023-M-004512" in text

    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.paid_date) == (
        Payment.Status.PAID,
        Decimal("52800.00"),
        timezone.localdate(),
    )

    page.goto(f"{live_server.url}/finances/lignes/")
    assert_accessible(page)
    row = page.get_by_role("row", name="DEVECO/INNOV")
    assert "52\xa0800,00\xa0€" in row.inner_text()
