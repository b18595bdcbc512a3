"""A manager fills the annex V indicators of the year and submits them; staff compare them."""

import io

import pytest
from playwright.sync_api import expect

from associations.indicators.models import IndicatorReport
from associations.indicators.reference import AMP_SIREN, load_reference_sets
from grants.models import Role
from tests.browser.utils import assert_accessible, login
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ManagerFactory,
    StructureTypeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
NBSP = "\u00a0"

ANNEX_V_VALUES = {
    "Nombre d'adhérents total en 2023 sur la Métropole": "120",
    "dont entreprises": "95",
    "dont établissements d'enseignement supérieur et laboratoire": "15",
    "dont autres": "10",
    "moins de 10 salariés": "40",
    "de 11 à 50 salariés": "30",
    "51 à 100 salariés": "10",
    "101 à 500 salariés": "10",
    "Plus de 500 salariés": "5",
    "Nombre de nouveaux adhérents sur l'année": "12",
    "dont métropolitains": "9",
    "dont PSPC": "2",
    "dont H2020": "3",
    "dont autres (préciser)": "9",
}
PROJECTS = (
    "Nombre de projets de R&D incluant au moins un acteur sur le territoire métropolitain, "
    "labellisés sur l'année"
)
STAFF = "Effectifs cumulés des entreprises adhérentes sur la Métropole"
JOBS = "Evaluation de l'impact emploi des projets labellisés sur le territoire"


@pytest.fixture
def scs():
    amp = AuthorityFactory(siren=AMP_SIREN, name="Métropole Aix-Marseille-Provence")
    load_reference_sets(io.StringIO())
    association = AssociationFactory(
        authority=amp, name="Pôle SCS", acronym="SCS", structure_type=StructureTypeFactory()
    )
    ManagerFactory(username="gestionnaire", associations=[association])
    UserFactory(username="agent", role=Role.INSTRUCTOR, authority=amp)
    return association


def field(page, label):
    return page.get_by_label(label, exact=True)


def fill_annex_v(page):
    """Type consistent values in every annex V field of the open entry form."""
    for label, value in ANNEX_V_VALUES.items():
        field(page, label).fill(value)
    field(page, PROJECTS).fill("14")
    field(page, "Commentaire — dont autres (préciser)").fill("France 2030, Région Sud")
    field(page, f"Femmes — {STAFF}").fill("3 100")
    field(page, f"Hommes — {STAFF}").fill("6900")
    field(page, f"Femmes — {JOBS}").fill("4")
    field(page, f"Hommes — {JOBS}").fill("6")


def confirm_submission(page, year=2023):
    expect(page.get_by_role("heading", name=f"Soumettre les indicateurs {year}")).to_be_visible()
    page.get_by_role("button", name="Confirmer la soumission").click()
    expect(page.get_by_text(f"Le rapport d'indicateurs {year} a été soumis")).to_be_visible()
    expect(page.locator(".page-header .badge-ok")).to_have_text("Soumis")


def manager_submits_indicators(page, association_name, year=2023):
    """The indicators step of the year, for a logged-in manager: from the menu to "Soumis".

    Reusable by the whole-year browser test once the annex V set is loaded
    (`load_reference_sets` with an authority of SIREN AMP_SIREN).
    """
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    page.get_by_role(
        "link", name=f"Renseigner les indicateurs {year} de {association_name}"
    ).click()
    fill_annex_v(page)
    page.get_by_role("button", name="Enregistrer et soumettre…").click()
    confirm_submission(page, year)


def test_a_manager_fills_and_submits_then_staff_compare(page, live_server, scs):
    login(page, live_server, "gestionnaire")
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    page.get_by_role("link", name="Renseigner les indicateurs 2023 de Pôle SCS").click()
    expect(page.get_by_role("heading", name="Indicateurs 2023 — Pôle SCS")).to_be_visible()
    assert_accessible(page)
    fill_annex_v(page)

    # Women and men: the total is shown as computed while typing, a wrong total at once.
    staff_sum = page.locator("tr.indicator-row", has=field(page, f"Total — {STAFF}")).locator(
        "output.indicator-sum"
    )
    expect(staff_sum).to_have_text(f"total calculé : 10{NBSP}000")
    field(page, f"Total — {STAFF}").fill("10 001")
    expect(staff_sum).to_contain_text("≠ femmes + hommes")

    page.get_by_role("button", name="Enregistrer et soumettre…").click()
    expect(page.get_by_text("Les indicateurs n'ont pas été enregistrés.")).to_be_visible()
    expect(
        page.get_by_text(
            f"Le total (10{NBSP}001) ne correspond pas à femmes + hommes : 3{NBSP}100 + "
            f"6{NBSP}900 = 10{NBSP}000."
        )
    ).to_be_visible()
    expect(field(page, "dont PSPC")).to_have_value("2")  # nothing typed is lost
    assert not IndicatorReport.objects.exists()

    field(page, f"Total — {STAFF}").fill("")
    page.get_by_role("button", name="Enregistrer et soumettre…").click()
    assert_accessible(page)
    confirm_submission(page)
    report = IndicatorReport.objects.get()
    assert report.is_submitted
    assert report.values.get(indicator__code="effectifs_entreprises").total == 10000
    assert report.values.get(indicator__code="impact_emploi").total == 10

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, live_server, "agent")
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    page.get_by_role("link", name="Comparer un indicateur").click()
    page.get_by_label("Indicateur", exact=True).select_option(label=STAFF)
    page.get_by_role("button", name="Afficher").click()
    table = page.locator("table.comparison-table")
    expect(table.get_by_role("row", name="Pôle SCS")).to_contain_text(f"10{NBSP}000")
    expect(table).to_contain_text(f"F 3{NBSP}100 · H 6{NBSP}900")
    chart = page.get_by_role("img", name=STAFF)
    expect(chart).to_be_visible()
    expect(chart.locator("rect.indicator-bar")).to_have_count(1)
    page.get_by_label("Valeur", exact=True).select_option(label="Femmes")
    page.get_by_role("button", name="Afficher").click()
    expect(table.get_by_role("row", name="Pôle SCS")).to_contain_text(f"3{NBSP}100")
    assert_accessible(page)


def test_the_reusable_step_submits_the_indicators(page, live_server, scs):
    login(page, live_server, "gestionnaire")
    manager_submits_indicators(page, "Pôle SCS")
    assert IndicatorReport.objects.get().is_submitted
