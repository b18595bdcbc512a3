"""The whole year of one convention, in Chromium with axe-core checks: the manager requests the
advance, staff certify it, finance orders it; the manager hands in the justificatifs (one is
rejected, then corrected) and the annex V indicators, staff accept them; the manager requests
the balance, staff certify it, finance orders it. Notifications follow each step."""

import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from associations.indicators.models import IndicatorReport
from associations.indicators.reference import AMP_SIREN, load_reference_sets
from conventions.models import Justificatif, Notification
from grants.models import Payment
from tests.browser.test_indicators import manager_submits_indicators
from tests.browser.utils import assert_accessible, login
from tests.conventions.justificatifs.factories import exe_bytes, pdf_bytes
from tests.factories import AssociationFactory, AuthorityFactory, StructureTypeFactory
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

NBSP = "\u00a0"
PIECES = {
    "Comptes annuels (bilan, compte de résultat, annexe)": "comptes-2023.pdf",
    "Rapport d'activité de l'année écoulée": "rapport-activite-2023.pdf",
    "Procès-verbal de l'assemblée générale approuvant les comptes": "pv-ag-2024.pdf",
}


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def main_text(page):
    return page.locator("main").inner_text()


def a_pdf(name, text):
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(text=text)}


@pytest.fixture
def year():
    amp = AuthorityFactory(siren=AMP_SIREN, name="Métropole Aix-Marseille-Provence")
    load_reference_sets(io.StringIO())  # annex V of the SCS seed, for the indicators step
    association = AssociationFactory(
        authority=amp, name="Pôle SCS", acronym="SCS", structure_type=StructureTypeFactory()
    )
    convention = convention_with("66000.00", association=association, number="2023-SCS")
    attach_forecast(convention, "953530.00")
    line = BudgetLineFactory(authority=amp, year=2023, service_codes="DEVECO/INNOV")
    CommitmentFactory(grant=convention.grants.get(), budget_line=line, number="2023-EJ-1847")
    manager_of(convention, username="asso", email="asso@scs.example", first_name="Claire")
    instructor_of(amp, username="marie", email="marie@amp.example")
    finance_of(amp, username="paul", email="paul@amp.example")
    return convention


def staff_certifies(page, live_server, what):
    """The instructor reads the request's notification, then certifies the service fait."""
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name=re.compile(r"^Notifications \d+ non lues?$")).click()
    expect(page.locator("ul.notifications li").first).to_contain_text(
        f"Pôle SCS demande le versement {what}"
    )
    page.get_by_role("link", name="Finances").click()
    page.get_by_role("link", name="Certifier le versement de Pôle SCS").click()
    page.get_by_role("button", name="Certifier le service fait").click()
    expect(page.locator(".message-success")).to_contain_text("Service fait certifié")


def finance_orders(page, live_server, number):
    switch_user(page, live_server, "paul")
    page.goto(f"{live_server.url}/finances/?state=a_mandater")
    page.get_by_role("link", name="Mandater le versement de Pôle SCS").click()
    page.get_by_label("Numéro du mandat").fill(number)
    page.get_by_role("button", name="Enregistrer le mandat").click()
    expect(page.locator(".message-success")).to_have_text("Mandat enregistré.")


def manager_hands_in_the_pieces(page, live_server, convention):
    switch_user(page, live_server, "asso")
    page.get_by_role("link", name=re.compile("^Déposer : Comptes annuels")).click()
    # An executable renamed .pdf is refused by its content; nothing is stored.
    page.get_by_label("Fichier").set_input_files(
        {"name": "comptes-2023.pdf", "mimeType": "application/pdf", "buffer": exe_bytes()}
    )
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_text("Le contenu de ce fichier n'est pas reconnu")).to_be_visible()
    assert_accessible(page)
    assert not Justificatif.objects.exists()
    for label, name in PIECES.items():
        page.goto(f"{live_server.url}/conventions/{convention.pk}/justificatifs/")
        page.get_by_role("link", name=f"Déposer : {label}", exact=True).click()
        page.get_by_label("Fichier").set_input_files(a_pdf(name, label))
        page.get_by_role("button", name="Déposer le fichier").click()
        expect(page.get_by_text(f"« {label} » est déposé")).to_be_visible()
    assert_accessible(page)
    assert Justificatif.objects.filter(status="depose").count() == 3


def staff_review(page, live_server, reject=None):
    """Accept every piece waiting in the queue, but reject `reject` with a reason."""
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name="Justificatifs", exact=True).click()
    assert_accessible(page)
    while page.get_by_role("link", name=re.compile("^Examiner")).count():
        page.get_by_role("link", name=re.compile("^Examiner")).first.click()
        heading = page.get_by_role("heading", level=1).inner_text()
        if reject and reject in heading:
            page.get_by_label("Refuser la pièce").check()
            page.get_by_role("button", name="Enregistrer la décision").click()
            expect(page.locator("p.error")).to_have_text(
                "Indiquez le motif du refus : l'association le lit pour corriger sa pièce."
            )
            assert_accessible(page)
            page.get_by_label("Motif du refus").fill("Il manque le bilan des salons 2023.")
        else:
            page.get_by_label("Accepter la pièce").check()
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_role("heading", name="Justificatifs", exact=True)).to_be_visible()


def test_the_whole_year_of_a_convention(page, live_server, year):
    convention = year

    # The manager's home lists what is due; the advance is possible now.
    login(page, live_server, "asso")
    expect(page.get_by_role("heading", name="À faire")).to_be_visible()
    assert "30/06/2024" in main_text(page)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Demander l'acompte")).click()
    page.get_by_label("Je certifie la réalité de la dépense").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande d'acompte est transmise")).to_be_visible()

    staff_certifies(page, live_server, f"de l'acompte de 52{NBSP}800,00{NBSP}€")
    finance_orders(page, live_server, "2023-M-004512")

    # The manager is told the advance is ordered, then hands in the pieces.
    switch_user(page, live_server, "asso")
    expect(page.get_by_role("heading", name="Nouveautés")).to_be_visible()
    assert "mandat n° 2023-M-004512" in main_text(page)
    manager_hands_in_the_pieces(page, live_server, convention)
    manager_submits_indicators(page, "Pôle SCS")
    assert IndicatorReport.objects.get().is_submitted

    # Staff reject the activity report with a reason, accept the others.
    staff_review(page, live_server, reject="Rapport d'activité")
    assert Justificatif.objects.filter(status="accepte").count() == 2

    # The manager reads the reason, hands in a corrected version; staff accept it.
    switch_user(page, live_server, "asso")
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    assert "Motif : Il manque le bilan des salons 2023." in main_text(page)
    assert_accessible(page)
    page.get_by_role("link", name="Accueil").click()
    page.get_by_role("link", name=re.compile("^Déposer une version corrigée")).click()
    expect(page.get_by_text("Motif : Il manque le bilan des salons 2023.")).to_be_visible()
    page.get_by_label("Fichier").set_input_files(a_pdf("rapport-2023-v2.pdf", "corrigé"))
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_text("Versions précédentes (1)")).to_be_visible()
    staff_review(page, live_server)
    assert convention.required_justificatifs_accepted

    # The manager requests the balance: realised expenses as forecast, the rest of the grant.
    switch_user(page, live_server, "asso")
    assert "vous pouvez demander le solde" in main_text(page)
    page.get_by_role("link", name=re.compile("^Demander le solde")).click()
    page.get_by_label("Total des dépenses réalisées de l'exercice (€)").fill("953 530,00")
    page.get_by_label("Je certifie la réalité de la dépense").check()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande de solde est transmise")).to_be_visible()

    staff_certifies(page, live_server, f"du solde de 13{NBSP}200,00{NBSP}€")
    finance_orders(page, live_server, "2024-M-000318")

    switch_user(page, live_server, "asso")
    assert "Rien à faire pour le moment." in main_text(page)
    payments = {p.kind: p for p in Payment.objects.all()}
    assert payments["acompte"].amount == Decimal("52800.00")
    assert payments["solde"].amount == Decimal("13200.00")
    assert payments["solde"].status == Payment.Status.ORDERED
    assert payments["solde"].order_number == "2024-M-000318"
    row = page.get_by_role("row", name=re.compile("Solde"))
    expect(row).to_contain_text(f"13{NBSP}200,00{NBSP}€")
    expect(row).to_contain_text("mandat n° 2024-M-000318")
    ordered = Notification.objects.filter(recipient__username="asso", kind="versement_mandate")
    assert ordered.count() == 2
