"""The consultation role reaches the dashboards from the menu, reads a chart and its table, goes to
another grouping, and reaches the annex list; nothing scrolls sideways on a phone."""

import re

import pytest
from playwright.sync_api import expect

from grants.models import Role
from tests.browser.utils import assert_accessible, login
from tests.factories import UserFactory
from tests.grants.dashboards.factories import known_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
NBSP = "\u00a0"


@pytest.fixture
def viewer():
    data = known_data()
    return UserFactory(username="elu", role=Role.VIEWER, authority=data.authority)


def test_the_consultation_role_reads_the_dashboards(page, live_server, viewer):
    login(page, live_server, "elu")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Tableaux de bord"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Métropole A")
    page.get_by_label("Exercice", exact=True).select_option("2024")
    page.get_by_role("button", name="Afficher").click()
    chart = page.get_by_role("img", name="Par dispositif d'aide", exact=True)
    expect(chart).to_be_visible()
    table = page.locator("#dispositif table")
    expect(table).to_contain_text(f"10{NBSP}000,10{NBSP}€")
    assert_accessible(page)

    # The three groupings are on the page; the table of contents leads to each one.
    page.get_by_role("navigation", name="Sections du tableau de bord").get_by_role(
        "link", name="Par domaine thématique"
    ).click()
    expect(page).to_have_url(re.compile(r"#domaine$"))
    expect(page.locator("#domaine table")).to_contain_text("Jeunesse")
    expect(page.locator("#domaine table")).to_contain_text(f"10{NBSP}000,10{NBSP}€")

    page.get_by_role("link", name="Annexe des subventions aux associations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("compte administratif 2024")
    expect(page.get_by_role("status")).to_contain_text(f"1 subvention, 10{NBSP}000,10{NBSP}€")
    assert_accessible(page)


def test_no_sideways_scroll_on_a_phone(page, live_server, viewer):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "elu")
    for path in ("/tableaux-de-bord/?exercice=2024", "/tableaux-de-bord/annexe-subventions/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
