"""A subsidy request from the account to the convention, as the people do it (issue 14): a
person opens the account of a new association from the authority's public page, files a
request over two browser sessions, staff ask for a correction, it is corrected and deposited
again, instructed, put to the vote in a light deliberation with another association's request,
and the convention (above 23 000 €) and the notification letter (23 000 € or less) are
produced by the background job."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conventions.models import Convention
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from grants.smallgrants.models import NotificationLetter
from tests.browser.utils import login, serious_violations, watch_csp
from tests.conventions.factories import ConventionTemplateFactory
from tests.conventions.justificatifs.factories import pdf_bytes
from tests.factories import AuthorityFactory
from tests.grants.finance.factories import instructor_of
from tests.grants.requests.factories import AidSchemeFactory, CampaignFactory, instructed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NBSP = "\u00a0"
EMAIL = "claire.martin@jardins-du-panier.fr"
PASSWORD = "Un-mot-de-passe-solide-2024"
SIREN = "443061841"


def check(page, found):
    """axe-core's serious violations of the page, added to `found` (all reported at the end,
    so that one run lists every page to fix)."""
    found.extend(f"{page.url}: {v}" for v in serious_violations(page))


def euros(text):
    return text.replace(" ", NBSP)


@pytest.fixture
def new_session(browser, live_server, _no_csp_violation):
    """Opens a new browser session (a new context: no cookie, no storage of the previous
    one), logged in as `username` if given; its pages are watched for CSP breaches like the
    `page` fixture's. The contexts are closed at the end of the test."""
    contexts = []

    def open_session(username=None):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch_csp(page, _no_csp_violation)
        if username:
            password = PASSWORD if username == EMAIL else "secret-pass-123"
            login(page, live_server, username, password)
        return page

    yield open_session
    for context in contexts:
        context.close()


def field(page, label):
    """The field labelled `label` exactly (a required one says so to screen readers)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}[\s*]*(\(obligatoire\))?\s*$"))


def open_request(page, campaign, reference):
    """The instructor's way to a request: the « Demandes » menu, the campaign, the request."""
    menu = page.get_by_role("navigation", name="Navigation principale")
    menu.get_by_role("link", name="Demandes", exact=True).click()
    page.get_by_role("link", name=str(campaign), exact=True).click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Demande {reference}")


def move(page, button, target_label, **fields):
    """A staff status change: the button on the request, the confirmation page."""
    page.get_by_role("link", name=button, exact=True).first.click()
    for label, value in fields.items():
        field(page, label).fill(value)
    page.get_by_role("button", name=f"Confirmer : {target_label.lower()}").click()
    expect(page.locator("dl.request-header")).to_contain_text(target_label)


def amount_input(page, label):
    row = page.locator("tr.line-row").filter(has=page.locator(f'input[value="{label}"]'))
    return row.locator("input.amount-input")


def upload_piece(page, label, text):
    """On the upload page of « Mes documents »: the PDF, then the confirmation."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Déposer : {label}")
    page.get_by_label("Fichier").set_input_files(
        {"name": f"{text}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(text=text)}
    )
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_text(f"« {label} » est enregistré")).to_be_visible()


def test_a_request_from_the_account_to_its_convention(page, live_server, new_session):
    axe = []
    today = timezone.localdate()
    authority = AuthorityFactory(
        name="Métropole Aix-Marseille-Provence", siren="200054807", department_code="013"
    )
    template = ConventionTemplateFactory(authority=authority, name="Convention annuelle")
    scheme = AidSchemeFactory(
        authority=authority,
        name="Vie associative",
        required_pieces=["statuts", "rib"],
        convention_template=template,
    )
    campaign = CampaignFactory(scheme=scheme, envelope=Decimal("100000.00"))
    year = campaign.year
    instructor_of(authority, username="ines", first_name="Inès", last_name="Agent")
    # Another association's request, already instructed: 15 000 € proposed (a letter).
    other = instructed(campaign, proposed="15000.00", name="Boxe du Panier")

    # ---- 1. The account, from the authority's public page ------------------------------------
    page.goto(f"{live_server.url}/aides/{authority.siren}/")
    expect(page.get_by_role("heading", name=re.compile("Vie associative"))).to_be_visible()
    check(page, axe)
    page.get_by_role("link", name="Créer un compte pour mon association").click()
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Prénom").fill("Claire")
    field(page, "Nom").fill("Martin")
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    check(page, axe)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()

    # The link of the email (its host is the site's: the path is opened on the test server).
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    link = re.search(r"(/compte/inscription/\S+/)", mail.outbox[0].body).group(1)
    page.goto(f"{live_server.url}{link}")
    check(page, axe)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_text("Votre adresse est confirmée")).to_be_visible()
    # Curious, the person opens « Mes demandes » first: it leads back to attaching.
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    expect(page.get_by_text("n'est encore rattaché à aucune association")).to_be_visible()
    check(page, axe)
    page.get_by_role("link", name="Rattacher mon association").click()
    expect(page.get_by_role("heading", name="Rattacher mon association")).to_be_visible()

    # « Rattacher mon association »: the authority does not know this SIREN, so it is created.
    check(page, axe)
    page.get_by_label("SIREN").fill("443 061 841")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Créer mon association")).to_be_visible()
    expect(field(page, "SIREN")).to_have_value(SIREN)
    check(page, axe)
    field(page, "Nom").fill("Les Jardins du Panier")
    field(page, "Adresse").fill("12 rue du Panier")
    page.get_by_label("Code postal").fill("13002")
    page.get_by_label("Ville").fill("Marseille")
    field(page, "Courriel").fill("contact@jardins-du-panier.fr")
    page.get_by_label("Représentant légal").fill("Jean DUPONT")
    page.get_by_role("button", name="Créer l'association").click()
    expect(page.get_by_text("votre compte en est le gestionnaire")).to_be_visible()

    # ---- 2. The request, first session: the first three steps ---------------------------------
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    page.get_by_role("link", name=f"Nouvelle demande : Vie associative {year}").click()
    check(page, axe)
    page.get_by_role("button", name="Commencer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Identification")
    page.get_by_label("Représentant légal").fill("Jean DUPONT")
    field(page, "Qualité").fill("Président")
    page.get_by_label("Personne chargée du dossier").fill("Claire MARTIN")
    field(page, "Fonction").fill("Trésorière")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relations")
    page.get_by_label("Union, fédération ou réseau").fill("Fédération des jardins partagés")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ressources humaines")
    # Typed, never submitted: the background save keeps it.
    page.get_by_label("Nombre d'adhérents").fill("120")
    page.get_by_label("Nombre de bénévoles").fill("15")
    page.get_by_label("Nombre de salariés").click()
    expect(page.locator("[data-autosave-status]")).to_contain_text("Enregistré à")
    # The browser is closed.
    page.context.close()

    # ---- 3. Second session: resumed where it was left, finished, deposited --------------------
    page = new_session(EMAIL)
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    page.get_by_role("link", name=re.compile("^Reprendre")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ressources humaines")
    expect(page.get_by_label("Nombre d'adhérents")).to_have_value("120")
    expect(page.get_by_label("Nombre de bénévoles")).to_have_value("15")
    page.get_by_role("link", name="1. Identification").click()
    expect(page.get_by_label("Personne chargée du dossier")).to_have_value("Claire MARTIN")
    page.get_by_role("link", name="3. Ressources humaines").click()
    page.get_by_label("Nombre de salariés").fill("2")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # The yearly budget, on the budget page and back, balanced.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budgets")
    check(page, axe)
    page.get_by_role("button", name="Créer et saisir ce budget").click()
    amount_input(page, "Rémunération des personnels").fill("60 000")
    amount_input(page, "Dont cotisations, dons manuels ou legs").fill("20 000")
    expect(page.locator('[data-total="gap"]')).not_to_have_text("équilibré")
    amount_input(page, "Intercommunalité(s) : EPCI").fill("40 000")
    expect(page.locator('[data-total="gap"]')).to_have_text("équilibré")
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budgets")
    expect(page.get_by_text("Équilibré", exact=True)).to_be_visible()
    check(page, axe)
    page.get_by_role("link", name="Continuer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Description")
    field(page, "Intitulé").fill("Jardins partagés du Panier")
    field(page, "Description").fill("Douze parcelles cultivées par les voisins.")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Montant demandé")
    check(page, axe)
    page.get_by_label("Montant demandé").fill("40 000")
    page.get_by_label("Certifie exactes et sincères").check()
    page.get_by_label("Certifie que l'association est à jour").check()
    page.get_by_label("L'association souscrit le contrat d'engagement républicain").check()
    page.get_by_label("Nom du signataire").fill("Jean DUPONT")
    page.get_by_label("Qualité du signataire").fill("Président")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # The pieces, from « Mes documents ».
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pièces")
    expect(page.get_by_text("Manquante")).to_have_count(2)
    # From the step, the upload comes back to it…
    statutes, rib = "Statuts en vigueur, datés et signés", "Relevé d'identité bancaire (RIB)"
    page.get_by_role("link", name=f"la déposer dans « Mes documents » : {statutes}").click()
    upload_piece(page, statutes, "statuts")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pièces")
    expect(page.get_by_text("Fournie")).to_have_count(1)
    # … or from « Mes documents », then back to the request from « Mes demandes ».
    page.get_by_role("link", name="Voir tous les documents de l'association").click()
    page.get_by_role("link", name=f"Déposer : {rib}", exact=True).click()
    upload_piece(page, rib, "rib")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    page.get_by_role("link", name=re.compile("^Reprendre")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pièces")
    expect(page.get_by_text("Fournie")).to_have_count(2)
    check(page, axe)
    page.get_by_role("link", name="Continuer", exact=True).click()
    expect(page.get_by_text("La demande est complète")).to_be_visible()
    check(page, axe)
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_text("est déposée (version 1)")).to_be_visible()

    check(page, axe)
    ours = SubsidyRequest.objects.get(association__siren=SIREN)
    assert (ours.status, ours.version, ours.amount_requested) == (
        Status.SUBMITTED, 1, Decimal("40000.00")
    )  # fmt: skip
    assert (ours.members_count, ours.volunteers_count, ours.employees_count) == (120, 15, 2)
    assert ours.cer_subscribed_by.email == EMAIL
    reference = ours.reference
    manager_page = page

    # ---- 4. The instructor takes it and asks for a correction ---------------------------------
    page = new_session("ines")
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(
        page.get_by_text("Les Jardins du Panier a déposé la demande « Jardins partagés du Panier »")
    ).to_be_visible()
    open_request(page, campaign, reference)
    move(page, "Prendre en instruction", "En instruction")
    correction = "Précisez le nombre de parcelles et le public des ateliers."
    move(
        page,
        "Demander des compléments",
        "À compléter",
        **{"Ce que l'association doit corriger ou compléter": correction},
    )
    check(page, axe)
    instructor_page = page

    # ---- 5. The manager reads it, corrects, deposits again: version 2 -------------------------
    # Told by email and on screen; the notification leads to the request and the message.
    assert any(
        m.to == [EMAIL] and "à compléter" in m.subject and correction in m.body for m in mail.outbox
    )
    page = manager_page
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    notice = page.get_by_role("listitem").filter(has_text="est à compléter")
    expect(notice).to_contain_text(correction)
    notice.get_by_role("link").click()
    expect(page.locator("dl.request-header")).to_contain_text("À compléter")
    expect(page.get_by_role("region", name="Votre demande")).to_contain_text(correction)
    check(page, axe)
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text("À compléter")
    row.get_by_role("link", name=re.compile("^Compléter")).click()
    expect(page.get_by_text(correction)).to_be_visible()
    page.get_by_role("link", name="5. Description").click()
    field(page, "Description").fill(
        "Douze parcelles cultivées par les voisins ; ateliers pour les écoles du quartier."
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # Each deposit subscribes the contrat d'engagement républicain again.
    page.get_by_label("L'association souscrit le contrat d'engagement républicain").check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("link", name="Continuer", exact=True).click()
    page.get_by_role("button", name="Redéposer la demande corrigée").click()
    expect(page.get_by_text("est déposée (version 2)")).to_be_visible()
    check(page, axe)
    versions = page.get_by_role("region", name="Versions déposées")
    expect(versions.get_by_role("link")).to_have_count(2)
    expect(versions.get_by_role("link", name="Version 1", exact=True)).to_be_visible()
    expect(versions.get_by_role("link", name="Version 2", exact=True)).to_be_visible()
    # Each version is what was deposited that day.
    versions.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.locator("main")).to_contain_text("Douze parcelles cultivées par les voisins.")
    expect(page.locator("main")).not_to_contain_text("ateliers pour les écoles")
    check(page, axe)
    page.get_by_role("link", name="Retour à la demande").click()
    page.get_by_role("region", name="Versions déposées").get_by_role(
        "link", name="Version 2", exact=True
    ).click()
    expect(page.locator("main")).to_contain_text("ateliers pour les écoles du quartier")
    page.get_by_role("link", name="Retour à la demande").click()

    # ---- 6. Instructed, then the draft deliberation of both proposals -------------------------
    page = instructor_page
    open_request(page, campaign, reference)
    expect(page.locator("dl.request-header")).to_contain_text("version 2")
    move(page, "Prendre en instruction", "En instruction")
    # The checklist of the pieces: both documents of « Mes documents », checked conform.
    for label in (statutes, rib):
        row = page.get_by_role("region", name="Pièces exigées par le dispositif").get_by_role("row")
        row = row.filter(has=page.get_by_role("rowheader", name=label, exact=True))
        expect(row.get_by_role("cell").first).to_contain_text("valable")
        row.get_by_label(f"Avis sur {label}").select_option(label="Conforme")
        row.get_by_role("button", name="Enregistrer").click()
        expect(row.get_by_role("cell").nth(1)).to_contain_text("Conforme")
    page.get_by_role("link", name="Clore l'instruction").click()
    check(page, axe)
    page.get_by_label("Avis technique").select_option(label="Favorable")
    page.get_by_label("Motivation de l'avis").fill("Projet utile au quartier, budget équilibré.")
    page.get_by_label("Montant proposé").fill("35 000")
    page.get_by_role("button", name="Confirmer : instruite").click()
    expect(page.locator("dl.request-header")).to_contain_text("Instruite")

    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
        "link", name=str(campaign)
    ).click()
    page.get_by_role("link", name="Préparer la délibération").click()
    expect(page.get_by_label("Proposer la demande de Les Jardins du Panier")).to_be_checked()
    expect(page.get_by_label("Proposer la demande de Boxe du Panier")).to_be_checked()
    check(page, axe)
    session_date = today - datetime.timedelta(days=10)
    page.get_by_role("radio", name=re.compile("^Saisie simplifiée")).check()
    page.get_by_label("Instance (saisie simplifiée)").fill("Conseil métropolitain")
    page.get_by_label("Date de la séance (saisie simplifiée)").fill(session_date.isoformat())
    page.get_by_role("button", name="Créer le projet de délibération").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Délibération n°")
    number = page.get_by_role("heading", level=1).inner_text().split("n°")[1].split()[0]

    # The vote, the prefecture's acknowledgement and the publication, as staff type them.
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_label("Voix pour").fill("150")
    page.get_by_label("Reçu en préfecture le").fill(
        (session_date + datetime.timedelta(days=2)).isoformat()
    )
    page.get_by_label("Identifiant @ctes").fill(f"013-200054807-{session_date:%Y%m%d}-CM0001-DE")
    page.get_by_label("Mise en ligne le").fill(
        (session_date + datetime.timedelta(days=3)).isoformat()
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(f"La délibération n° {number} est enregistrée.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Exécutoire")

    # ---- 7. Both voted; the conventions and letters job ---------------------------------------
    for subsidy_request in (ours, other):
        subsidy_request.refresh_from_db()
        assert subsidy_request.status == Status.VOTED
    page.get_by_role("link", name="Générer les conventions et lettres").click()
    check(page, axe)
    page.get_by_role("button", name="Générer les conventions et lettres (2)").click()
    page.wait_for_url("**/taches/*/")
    expect(page.get_by_text("1 convention (avec PDF) et 1 lettre de notification")).to_be_visible()
    check(page, axe)
    page.get_by_role("link", name="Retour", exact=True).click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Les Jardins du Panier")).to_contain_text(euros("35 000,00 €"))
    expect(rows.filter(has_text="Boxe du Panier")).to_contain_text(euros("15 000,00 €"))

    convention = Convention.objects.get(grants__request=ours)
    assert convention.association.siren == SIREN and convention.pdf_file
    # Its annex I is the yearly budget typed in the request.
    assert convention.forecast_budget == ours.yearly_budget
    assert convention.forecast_budget.total_charges == Decimal("60000.00")
    letter = NotificationLetter.objects.get(grant__request=other)
    assert letter.pdf_file

    # The convention's page and its PDF.
    page.get_by_role("link", name=re.compile("^convention ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention n°")
    # « PDF généré : le 01/12/2026 à 14:05 » links to the generated file.
    pdf_link = page.get_by_role("link", name=re.compile(r"^le \d\d.\d\d.\d{4} à \d\d:\d\d$"))
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # The letter of the other association, from its grant's page.
    page.go_back()
    page.get_by_role("link", name="voir la lettre").click()
    expect(page.locator("main")).to_contain_text(f"n° {letter.reference}")
    href = page.get_by_role("link", name="Télécharger la lettre (PDF)").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"

    # The campaign's page: both requests voted, 50 000 € of the envelope.
    menu = page.get_by_role("navigation", name="Navigation principale")
    menu.get_by_role("link", name="Demandes", exact=True).click()
    page.get_by_role("link", name=str(campaign), exact=True).click()
    for name in ("Les Jardins du Panier", "Boxe du Panier"):
        expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Votée")
    decisions = page.get_by_role("region", name="Vers la délibération")
    expect(decisions).to_contain_text(euros("Votées2 — 50 000,00 €"))  # <dt><dd>
    expect(decisions).to_contain_text(euros("après ces propositions : 50 000,00 € disponibles"))
    check(page, axe)

    # The manager sees it voted, with the grant and its deliberation.
    page = manager_page
    page.get_by_role("link", name="Mes demandes", exact=True).click()
    expect(page.get_by_role("row", name=re.compile(reference))).to_contain_text("Votée")
    page.get_by_role("link", name="Jardins partagés du Panier").click()
    expect(page.locator("dl.request-header")).to_contain_text(
        euros(f"35 000,00 € — délibération n° {number}")
    )
    check(page, axe)

    assert not axe, "\n".join(axe)
