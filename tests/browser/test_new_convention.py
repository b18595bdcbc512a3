"""A 40 000 € grant to its convention and its advance, as a new user does it from the menus:
"Nouvelle convention", the readiness checklist that blocks (no forecast budget) and the fix it
links to, the signatures dated today, the advance requested, certified, committed and ordered;
then the required justificatifs handed in and accepted, the balance (voted − advance, the
realised expenses equal to the forecast) requested, certified, ordered and recorded paid."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conventions.models import Convention, Justificatif
from grants.models import Payment, Role
from tests.browser.utils import choose, declare_and_validate_bank_details, login
from tests.conventions.factories import ConventionTemplateFactory, forecast_budget
from tests.conventions.justificatifs.factories import pdf_bytes
from tests.deliberations.factories import DeliberationFactory, SessionFactory
from tests.factories import AssociationFactory, GrantFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import BudgetLineFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NBSP = "\u00a0"


def euros(text):
    """'8 000,00 €' as the fr filters print it (narrow spaces are non-breaking)."""
    return text.replace(" ", NBSP)


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def test_a_40000_euro_grant_from_new_convention_to_its_paid_balance(page, live_server):
    today = timezone.localdate()
    year = today.year
    association = AssociationFactory(name="Maison de l'innovation")
    authority = association.authority
    AssociationFactory(name="Autre association", authority=authority)
    deliberation = DeliberationFactory(
        authority=authority, number=f"{year}.00077",
        session=SessionFactory(body__authority=authority, date=today - datetime.timedelta(30)),
        votes_for=10, prefecture_received_on=today - datetime.timedelta(20),
        published_on=today - datetime.timedelta(20),
    )  # fmt: skip
    GrantFactory(association=association, authority=authority, year=year, deliberation=deliberation,
                 amount=Decimal("40000.00"), object="Fonctionnement global",
                 budget_imputation="INUM/SUFLI/65748")  # fmt: skip
    budget = forecast_budget(association, year=year, charges=Decimal("100000"),
                             public=Decimal("40000"))  # fmt: skip
    budget.lines.filter(is_public=True).update(authority=authority)
    ConventionTemplateFactory(authority=authority, name="Convention annuelle")
    BudgetLineFactory(authority=authority, year=year, service_codes="INUM/SUFLI", nature="65748",
                      chapter="65", voted_credits=Decimal("500000.00"))  # fmt: skip
    UserFactory(username="marie", role=Role.INSTRUCTOR, authority=authority)
    UserFactory(username="paul", role=Role.FINANCE, authority=authority)
    ManagerFactory(username="asso", associations=[association])

    # The association's bank details: declared with its RIB by its manager, checked against
    # the RIB by the instructor (no payment order without validated details).
    declare_and_validate_bank_details(
        page, live_server, f"/associations/{association.pk}/", "asso", "marie"
    )
    page.context.clear_cookies()

    # From the menu: one association field; choosing it lists its grants (no reload).
    login(page, live_server, "marie")
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Nouvelle convention").click()
    assert page.locator("[name=association]").count() == 1
    assert page.get_by_label("Numéro").input_value() == f"{year}-CONV-0001"
    choose(page, "Association", "maison", "Maison de l'innovation")
    page.locator("#convention-choices input[name=grants]").first.wait_for()
    page.get_by_label(f"{year} — 40 000,00 € — Fonctionnement global").check()
    choose(page, "Délibération", "00077", f"Délibération n° {year}.00077")
    page.get_by_role("button", name="Enregistrer").click()
    assert f"Convention n° {year}-CONV-0001" in page.get_by_role("heading", level=1).inner_text()

    # The checklist says what is missing before the confirm button, with the link that fixes it.
    page.get_by_role("button", name="Générer le PDF").click()
    assert page.get_by_text("Le PDF de la convention est généré.").is_visible()  # the job's page
    page.get_by_role("link", name="Retour", exact=True).click()
    page.get_by_role("link", name="Déclarer prête pour signature").click()
    assert page.get_by_text("Aucun budget prévisionnel n'est rattaché").is_visible()
    assert page.get_by_role("button", name="Déclarer prête pour signature").count() == 0
    page.get_by_role("link", name="Rattacher le budget prévisionnel").click()
    choose(page, "Budget prévisionnel (annexe I)", "maison", f"Budget prévisionnel {year}")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Régénérer le PDF").click()
    assert page.get_by_text("Le PDF de la convention est généré.").is_visible()
    page.get_by_role("link", name="Retour", exact=True).click()
    page.get_by_role("link", name="Déclarer prête pour signature").click()
    assert page.get_by_text("Toutes les conditions sont réunies").is_visible()
    page.get_by_role("button", name="Déclarer prête pour signature").click()

    # Signatures: the dates are today unless changed.
    page.get_by_role("link", name="Enregistrer la signature de l'association").click()
    assert page.get_by_label("Date de signature").input_value() == today.isoformat()
    page.get_by_role("button", name="Enregistrer la signature de l'association").click()
    page.get_by_role("link", name="Enregistrer la signature de la collectivité").click()
    page.get_by_label("Nom du signataire").fill("Martine VASSAL")
    page.get_by_role("button", name="Enregistrer la signature de la collectivité").click()
    convention = Convention.objects.get(number=f"{year}-CONV-0001")
    assert convention.is_signed_by_both and convention.authority_signed_at == today

    # The manager asks for the advance (80 % of 40 000 €).
    switch_user(page, live_server, "asso")
    page.goto(f"{live_server.url}/finances/conventions/{convention.pk}/versements/")
    page.get_by_role("link", name="Demander l'acompte").click()
    page.get_by_label("Montant de l'acompte demandé (€)").fill("32 000,00")
    page.get_by_label("Nom et qualité du signataire").fill("Jeanne DURAND, présidente")
    page.get_by_label("Je certifie la réalité de la dépense").check()
    page.get_by_role("button", name="Envoyer la demande").click()

    # The instructor certifies; finance commits the grant on the cited line, then orders.
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name="Finances").click()
    page.get_by_role("link", name="Certifier le versement de Maison de l'innovation").click()
    page.get_by_role("button", name="Certifier le service fait").click()

    switch_user(page, live_server, "paul")
    page.get_by_role("link", name="Finances").click()
    page.get_by_role("link", name="Engagements des subventions").click()
    page.get_by_role("link", name="Engager la subvention de Maison de l'innovation").click()
    page.get_by_label("Numéro d'engagement").fill(f"{year}-EJ-0001")
    page.get_by_role("button", name="Engager 40 000,00 €").click()
    page.goto(f"{live_server.url}/finances/?state=a_mandater")
    page.get_by_role("link", name="Mandater le versement de Maison de l'innovation").click()
    page.get_by_label("Numéro du mandat").fill(f"{year}-M-0001")
    page.get_by_role("button", name="Enregistrer le mandat").click()
    payment = Payment.objects.get(convention=convention)
    assert (payment.status, payment.amount) == (Payment.Status.ORDERED, Decimal("32000.00"))

    # The balance is blocked until the required justificatifs are accepted (art. 6.2).
    switch_user(page, live_server, "asso")
    page.goto(f"{live_server.url}/finances/conventions/{convention.pk}/versements/")
    assert page.get_by_role("link", name="Demander le solde").count() == 0
    expect(
        page.get_by_text("Le solde pourra être demandé une fois ces justificatifs")
    ).to_be_visible()

    required = [Justificatif.Kind(kind).label for kind in convention.required_justificatif_kinds]
    assert required
    # From the home page's "Vos conventions" table: "N sur M à déposer", then the piece's row.
    for label in required:
        page.get_by_role("link", name="Accueil").click()
        page.get_by_role("link", name=re.compile(f"sur {len(required)} à déposer$")).click()
        page.get_by_role("link", name=f"Déposer : {label}", exact=True).click()
        page.get_by_label("Fichier").set_input_files(
            {"name": "piece.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(text=label)}
        )
        page.get_by_role("button", name="Déposer le fichier").click()
        expect(page.get_by_text(f"« {label} » est déposé")).to_be_visible()
    page.get_by_role("link", name="Accueil").click()
    expect(page.get_by_role("link", name="Tous déposés")).to_be_visible()
    assert convention.justificatifs.filter(status="depose").count() == len(required)

    # The instructor accepts them from the review queue.
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name="Justificatifs", exact=True).click()
    examine = page.get_by_role("link", name=re.compile("^Examiner"))
    for _ in required:
        examine.first.click()
        page.get_by_label("Accepter la pièce").check()
        page.get_by_role("button", name="Enregistrer la décision").click()
        expect(page.get_by_role("heading", name="Justificatifs", exact=True)).to_be_visible()
    assert examine.count() == 0
    assert convention.required_justificatifs_accepted

    # The manager requests the balance: expenses as forecast, so 40 000 − 32 000 €.
    switch_user(page, live_server, "asso")
    expect(page.get_by_role("link", name="Tous acceptés")).to_be_visible()
    page.get_by_role("link", name=f"Versements de la convention {year}").click()
    page.get_by_role("link", name="Demander le solde").click()
    page.get_by_label("Total des dépenses réalisées de l'exercice (€)").fill("100 000,00")
    page.get_by_label("Nom et qualité du signataire").fill("Jeanne DURAND, présidente")
    page.get_by_label("Je certifie la réalité de la dépense").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande de solde est transmise")).to_be_visible()
    balance = Payment.objects.get(convention=convention, kind="solde")
    assert (balance.amount, balance.status) == (Decimal("8000.00"), Payment.Status.REQUESTED)

    # The instructor certifies; finance orders it on the grant's commitment, then records it paid.
    switch_user(page, live_server, "marie")
    page.get_by_role("link", name="Finances").click()
    row = page.get_by_role("row", name=re.compile("Maison de l'innovation"))
    expect(row.filter(has_text="Solde")).to_contain_text(euros("8 000,00 €"))
    page.get_by_role("link", name="Certifier le versement de Maison de l'innovation").click()
    page.get_by_role("button", name="Certifier le service fait").click()
    expect(page.locator(".message-success")).to_contain_text("Service fait certifié")

    switch_user(page, live_server, "paul")
    page.get_by_role("link", name="Finances").click()
    page.goto(f"{live_server.url}/finances/?state=a_mandater")
    page.get_by_role("link", name="Mandater le versement de Maison de l'innovation").click()
    page.get_by_label("Numéro du mandat").fill(f"{year}-M-0002")
    page.get_by_role("button", name="Enregistrer le mandat").click()
    expect(page.locator(".message-success")).to_have_text("Mandat enregistré.")
    # Both ordered payments (advance and balance) are recorded paid, dated today by default.
    for _ in range(2):
        page.goto(f"{live_server.url}/finances/?state=mandate")
        page.get_by_role(
            "link", name="Constater le paiement de Maison de l'innovation"
        ).first.click()
        assert page.get_by_label("Date de paiement").input_value() == today.isoformat()
        page.get_by_role("button", name="Enregistrer le paiement").click()
        expect(page.locator(".message-success")).to_have_text("Paiement enregistré.")
    page.goto(f"{live_server.url}/finances/?state=mandate")
    expect(page.get_by_role("link", name=re.compile("^Constater le paiement"))).to_have_count(0)

    balance.refresh_from_db()
    payment.refresh_from_db()
    assert (payment.status, payment.paid_date) == (Payment.Status.PAID, today)
    assert (balance.status, balance.order_number, balance.paid_date) == (
        Payment.Status.PAID, f"{year}-M-0002", today
    )  # fmt: skip

    # The timeline the manager reads: both payments paid, the totals.
    switch_user(page, live_server, "asso")
    page.goto(f"{live_server.url}/finances/conventions/{convention.pk}/versements/")
    solde = page.get_by_role("row", name=re.compile("Solde"))
    expect(solde).to_contain_text(euros("8 000,00 €"))
    expect(solde).to_contain_text("Payé")
    advance = page.get_by_role("row", name=re.compile("Acompte"))
    expect(advance).to_contain_text(euros("32 000,00 €"))
    expect(advance).to_contain_text("Payé")
    assert page.get_by_role("link", name="Demander le solde").count() == 0
    summary = page.get_by_role("group", name="Synthèse financière")
    # Everything due is paid: the advance and the balance make the voted 40 000 €.
    expect(summary.locator(".stat-label")).to_have_text(
        ["Montant voté", "Montant dû", "Versé", "Reste dû"]
    )
    expect(summary.locator(".stat")).to_have_text(
        [euros(a) for a in ("40 000,00 €", "40 000,00 €", "40 000,00 €", "0,00 €")]
    )
