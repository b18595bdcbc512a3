"""A clerk records a session's attendance, then a deliberation voted at it, through the UI."""

import datetime
import re

import pytest

from deliberations.models import Deliberation, Session
from grants.models import Role
from tests.browser.utils import assert_accessible, login
from tests.deliberations.factories import BodyFactory, MemberFactory
from tests.factories import AssociationFactory, AuthorityFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NAMES = [
    ("Mme", "Sylvie", "FAYOLLE"),
    ("Mme", "Siham", "LABICH"),
    ("M.", "Marc", "CHASSAUBENE"),
    ("Mme", "Françoise", "BERGER"),
    ("M.", "Gaël", "PERDRIAU"),
    ("M.", "Jordan", "DA SILVA"),
]


def test_clerk_records_attendance_and_a_unanimous_deliberation(page, live_server):
    authority = AuthorityFactory(name="Saint-Étienne Métropole", siren="244200770")
    body = BodyFactory(authority=authority)
    for civility, first, last in NAMES:
        MemberFactory(body=body, civility=civility, first_name=first, last_name=last)
    AssociationFactory(authority=authority, name="Minalogic")
    UserFactory(username="claire", role=Role.INSTRUCTOR, authority=authority)

    login(page, live_server, "claire")
    page.get_by_role("link", name="Délibérations", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Séances", exact=True).click()
    page.get_by_role("link", name="Nouvelle séance").click()
    page.get_by_label("Instance").select_option(label="Bureau métropolitain")
    page.get_by_label("Date de la séance").fill("2024-06-13")
    page.get_by_label("Date de convocation").fill("2024-06-07")
    assert_accessible(page)
    page.get_by_role("button", name="Créer et saisir les présences").click()

    # The attendance of the six members, in one form.
    page.wait_for_url("**/presences/")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Président de séance")).select_option(label="Mme Sylvie FAYOLLE")
    page.get_by_label("Qualité du président de séance").fill("La Première Vice-Présidente")
    page.get_by_label("Secrétaire de séance").select_option(label="Mme Siham LABICH")
    page.get_by_label("Présence de M. Gaël PERDRIAU").select_option(label="Représenté (pouvoir)")
    page.get_by_label("Pouvoir donné par M. Gaël PERDRIAU à").select_option(
        label="M. Marc CHASSAUBENE"
    )
    page.get_by_label("Présence de M. Jordan DA SILVA").select_option(label="Absent excusé")
    live = page.locator("#attendance-live")
    assert "4 présents, 1 pouvoirs, 5 voix" in live.inner_text()
    page.get_by_role("button", name="Enregistrer les présences").click()

    page.wait_for_url("**/seances/*/")
    assert "Les présences de la séance sont enregistrées." in page.content()
    counts = page.locator("dl.counts-grid").first.inner_text()
    for label, value in [("Membres en exercice", "6"), ("Présents", "4"), ("Voix", "5")]:
        assert f"{label}\n{value}" in counts
    assert "M. Gaël PERDRIAU donne pouvoir à M. Marc CHASSAUBENE" in page.content()
    assert_accessible(page)

    # The deliberation voted at that session.
    page.get_by_role("link", name="Nouvelle délibération").click()
    page.get_by_label("Numéro").fill("2024.00344")
    assert page.get_by_label("Séance").input_value() == str(Session.objects.get().pk)
    page.get_by_label("Thématique").fill("Filière industrie")
    page.get_by_label("Titre").fill("Animation de l'écosystème d'innovation pour l'année 2024")
    page.get_by_label("Exposé des motifs").fill("Le pôle sollicite **62 500 €** pour 2024.")
    page.get_by_label("Texte de l'article").first.fill(
        "autorise l'attribution d'une subvention de fonctionnement de 62 500 € au pôle Minalogic,"
    )
    # The association is a search field: type part of its name, pick the suggestion.
    page.get_by_label("Association").fill("Minal")
    page.get_by_role("option", name="Minalogic").click()
    page.get_by_label("Montant (€)").fill("62 500")
    page.get_by_label(re.compile(r"^Objet")).fill("Animation de l'écosystème d'innovation")
    assert "5 voix disponibles" in page.locator("#votes-available").inner_text()
    page.get_by_role("button", name="Adoptée à l'unanimité des voix disponibles").click()
    assert page.get_by_label("Voix pour").input_value() == "5"
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    page.wait_for_url("**/deliberations/*/")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Délibération n° 2024.00344") and "Adoptée" in heading
    assert "Ce dossier a été adopté à l'unanimité." in page.content().replace("&#x27;", "'")
    assert "62 500,00 €" in page.locator("table").first.inner_text().replace("\u00a0", " ")
    assert_accessible(page)

    deliberation = Deliberation.objects.get()
    assert deliberation.votes_for == 5 and deliberation.is_unanimous
    assert deliberation.session.date == datetime.date(2024, 6, 13)
    assert deliberation.grants.get().amount == 62500
