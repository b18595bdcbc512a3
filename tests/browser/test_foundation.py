import io

import pytest
from playwright.sync_api import expect

from grants.demo import load_foundation
from tests.browser.utils import assert_accessible, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(db):
    """The seeds' authorities, associations and accounts (the other loaders are not needed)."""
    load_foundation(io.StringIO(), {})


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("admin", ["Minalogic", "Pôle Solutions Communicantes Sécurisées"], []),
        ("instructeur", ["Pôle Solutions Communicantes Sécurisées"], ["Minalogic"]),
        ("instructeur-sem", ["Minalogic"], ["Pôle Solutions Communicantes Sécurisées"]),
        ("financier", ["Pôle Solutions Communicantes Sécurisées"], ["Minalogic"]),
        ("consultation", ["Pôle Solutions Communicantes Sécurisées"], ["Minalogic"]),
        ("asso-scs", ["Pôle Solutions Communicantes Sécurisées"], ["Minalogic"]),
        ("asso-minalogic", ["Minalogic"], ["Pôle Solutions Communicantes Sécurisées"]),
    ],
)
def test_each_role_logs_in_and_sees_only_its_associations(
    page, live_server, demo, username, sees, does_not_see
):
    login(page, live_server, username, "demo")
    assert_accessible(page)
    page.goto(f"{live_server.url}/associations/")
    assert_accessible(page)
    table = page.locator("main")
    for name in sees:
        assert table.get_by_role("link", name=name).count() == 1
    for name in does_not_see:
        assert table.get_by_role("link", name=name).count() == 0
    page.locator("main").get_by_role("link", name=sees[0]).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(sees[0])
    assert_accessible(page)


def test_instructor_filters_the_list_and_creates_an_association(page, live_server, demo):
    login(page, live_server, "instructeur", "demo")
    page.get_by_role("link", name="Associations", exact=True).click()
    page.get_by_label("Ville").fill("Marseille")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucune association ne correspond à ces filtres")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Nouvelle association").first.click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Nom (obligatoire)", exact=True).fill(
        "Incubateur Belle de Mai"
    )
    page.get_by_label("SIREN").fill("244 200 771")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("clé de contrôle incorrecte")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("SIREN").fill("244 200 770")
    page.get_by_label("Ville").fill("Marseille")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incubateur Belle de Mai")

    page.goto(f"{live_server.url}/associations/?city=Marseille")
    assert page.locator("tbody tr").count() == 1


def test_manager_updates_contact_details_and_declares_a_new_president(page, live_server, demo):
    login(page, live_server, "asso-scs", "demo")
    page.get_by_role("link", name="Mettre à jour les coordonnées").click()
    assert_accessible(page)
    page.get_by_label("Courriel").fill("contact@pole-scs.example")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("contact@pole-scs.example")).to_be_visible()

    page.get_by_role("link", name="Déclarer un changement").click()
    assert_accessible(page)
    page.get_by_label("Nature").select_option(label="Changement de représentant légal")
    page.get_by_label("Date d'effet").fill("2024-06-20")
    page.get_by_label("Description").fill("Élection par l'assemblée générale")
    page.get_by_label("Civilité du nouveau représentant").select_option("Mme")
    page.get_by_label("Nouveau représentant", exact=True).fill("Claire MARTIN")
    page.get_by_role("button", name="Enregistrer le changement").click()
    expect(page.get_by_text("Mme Claire MARTIN").first).to_be_visible()
    expect(page.get_by_text("20/06/2024 — Changement de représentant légal")).to_be_visible()


def test_public_pages_are_accessible(page, live_server, demo):
    for path in ["/compte/connexion/", "/compte/mot-de-passe/oublie/"]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    login(page, live_server, "consultation", "demo")
    page.goto(f"{live_server.url}/compte/mot-de-passe/")
    assert_accessible(page)
