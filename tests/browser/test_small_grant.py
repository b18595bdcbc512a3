"""A grant of 23 000 € or less from the menus, as a new instructor does it: the association, a
light deliberation with a 15 000 € grant made executory, the notification letter, the
commitment, then the versement unique requested, certified, ordered and paid."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import NotificationLetter, Payment
from tests.browser.utils import (
    assert_accessible,
    choose,
    declare_and_validate_bank_details,
    login,
)
from tests.factories import AuthorityFactory
from tests.grants.finance.factories import BudgetLineFactory, finance_of, instructor_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def fr(day):
    return day.strftime("%d/%m/%Y")


def iso(day):
    """A date picker's value, whatever the browser's locale shows."""
    return day.isoformat()


def test_a_small_grant_is_notified_and_paid_once(page, live_server):
    today = timezone.localdate()
    authority = AuthorityFactory(
        name="Métropole Aix-Marseille-Provence", siren="200054807", department_code="013"
    )
    BudgetLineFactory(
        authority=authority, year=today.year, service_codes="POLVIL", label="Politique de la ville"
    )
    instructor_of(authority, username="ines")
    instructor_of(authority, username="victor")
    finance_of(authority, username="fanny")
    session_date = today - datetime.timedelta(days=10)

    # The association, from the Associations menu.
    login(page, live_server, "ines")
    page.get_by_role("link", name="Associations", exact=True).click()
    page.get_by_role("link", name="Nouvelle association").click()
    page.locator("#id_name").fill("Ateliers du Vieux-Port")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/associations/*/")
    assert "Ateliers du Vieux-Port" in page.locator("h1").inner_text()
    # Its bank details: declared with the RIB by Inès, checked against it by Victor (no
    # payment order without validated details).
    association_url = page.url.removeprefix(live_server.url)
    declare_and_validate_bank_details(page, live_server, association_url, "ines", "victor")
    switch_user(page, live_server, "ines")

    # The light deliberation, from the Délibérations menu, with its 15 000 € grant.
    page.get_by_role("link", name="Délibérations", exact=True).click()
    page.get_by_role("link", name="Nouvelle délibération (saisie simplifiée)").click()
    assert_accessible(page)
    page.get_by_label("Instance").fill("Conseil métropolitain")
    page.get_by_label("Date de la séance").fill(iso(session_date))
    page.get_by_label("Objet de la délibération").fill("Soutien aux associations de quartier")
    page.get_by_label("Voix pour").fill("150")
    choose(page, "Association", "ateliers", "Ateliers du Vieux-Port")
    page.get_by_label("Montant (€)").fill("15 000")
    page.locator("#id_subventions-0-object").fill("Ateliers de réparation de vélos")
    # A wrong @ctes date is caught, nothing typed is lost.
    wrong = f"013-200054807-{(session_date - datetime.timedelta(days=1)):%Y%m%d}-CM0001-DE"
    page.get_by_label("Reçu en préfecture le").fill(iso(session_date + datetime.timedelta(days=2)))
    page.get_by_label("Identifiant @ctes").fill(wrong)
    page.get_by_label("Mise en ligne le").fill(iso(session_date + datetime.timedelta(days=3)))
    page.get_by_role("button", name="Enregistrer").click()
    main = page.locator("main").inner_text()
    assert "n'est pas celle de la séance" in main, main
    assert page.get_by_label("Montant (€)").input_value() == "15 000"
    page.get_by_label("Identifiant @ctes").fill(f"013-200054807-{session_date:%Y%m%d}-CM0001-DE")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/deliberations/*/")
    main = page.locator("main").inner_text()
    assert "Saisie simplifiée" in main and "Exécutoire" in main
    assert f"depuis le {fr(session_date + datetime.timedelta(days=3))}" in main
    assert_accessible(page)

    # The notification letter, from the grant.
    page.get_by_role("link", name="15\xa0000,00\xa0€ : notification et versement unique").click()
    assert "Sans convention" in page.locator("main").inner_text()
    page.get_by_role("button", name="Générer la lettre de notification").click()
    # The page of the background job (run at once by the tests' immediate task backend).
    page.wait_for_url("**/taches/*/")
    letter = NotificationLetter.objects.get()
    assert page.get_by_role("link", name="Ouvrir la lettre (PDF)").is_visible()
    page.get_by_role("link", name="Retour", exact=True).click()
    page.wait_for_url("**/subventions/*/")
    assert f"Lettre de notification n° {letter.reference}" in page.locator("main").inner_text()
    assert_accessible(page)
    grant_url = page.url

    # Finance commits the grant on its budget line.
    switch_user(page, live_server, "fanny")
    page.get_by_role("link", name="Finances", exact=True).click()
    page.get_by_role("link", name="Engagements des subventions").click()
    page.get_by_role("link", name="Engager la subvention de Ateliers du Vieux-Port").click()
    # The grant cites no imputation: finance searches the line by its label.
    choose(page, "Ligne budgétaire", "politique", "Politique de la ville")
    page.get_by_label("Numéro d'engagement").fill("EJ-2024-0099")
    page.get_by_role("button", name="Engager").click()
    page.wait_for_url("**/finances/lignes/*/")

    # The instructor proposes the single payment (the association has no account): above the
    # grant is refused, then the whole grant is requested and the service fait certified.
    switch_user(page, live_server, "ines")
    page.goto(grant_url)
    page.get_by_role("link", name="Demander le versement unique").click()
    amount = page.get_by_label("Montant du versement (€)")
    assert amount.input_value() == "15\xa0000,00"
    amount.fill("15 000,01")
    page.get_by_label("Versement proposé par le service instructeur").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "ne peut pas dépasser le montant de la subvention" in page.locator("main").inner_text()
    page.get_by_label("Montant du versement (€)").fill("15 000,00")
    page.get_by_label("Versement proposé par le service instructeur").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url(grant_url)
    assert "À certifier" in page.locator("main").inner_text()
    page.get_by_role("link", name="Certifier le service fait").click()
    page.get_by_role("button", name="Certifier le service fait").click()
    page.wait_for_url(grant_url)
    assert "Demander le versement unique" not in page.locator("main").inner_text()

    # Finance orders it from the queue, then records the payment.
    switch_user(page, live_server, "fanny")
    page.get_by_role("link", name="Finances", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Mandater le versement de Ateliers du Vieux-Port").click()
    page.get_by_label("Numéro du mandat").fill("M-2024-0815")
    page.get_by_role("button", name="Enregistrer le mandat").click()
    page.wait_for_url(grant_url)
    page.get_by_role("link", name="Constater le paiement").click()
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.wait_for_url(grant_url)
    text = page.locator("#versement").locator("..").inner_text()
    assert "Payé" in text and "15\xa0000,00\xa0€" in text and "M-2024-0815" in text
    assert_accessible(page)

    payment = Payment.objects.get()
    assert payment.kind == Payment.Kind.SINGLE and payment.status == Payment.Status.PAID
    assert payment.amount == Decimal("15000.00") and payment.convention_id is None
    assert payment.commitment.number == "EJ-2024-0099"
