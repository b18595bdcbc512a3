"""A manager fills a budget in the browser: live totals, a new funder line, saving."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from associations.budgets.models import AssociationBudget
from associations.budgets.services import budget_create
from tests.browser.utils import assert_accessible, login
from tests.factories import AssociationFactory, ManagerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
NBSP = "\u00a0"


def amount_input(page, label):
    row = page.locator("tr.line-row").filter(has=page.locator(f'input[value="{label}"]'))
    return row.locator("input.amount-input")


def total(page, key):
    return page.locator(f'[data-total="{key}"]')


def test_a_manager_fills_lines_sees_totals_update_and_saves(page, live_server):
    association = AssociationFactory(name="Pôle de test")
    manager = ManagerFactory(username="gestionnaire", associations=[association])
    budget = budget_create(
        association=association, year=2024, kind=AssociationBudget.Kind.FORECAST, user=manager
    )
    login(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/associations/budgets/{budget.pk}/saisie/")
    assert_accessible(page)

    salaries = amount_input(page, "Rémunération des personnels")
    salaries.fill("1 000,50")
    expect(total(page, "charge")).to_have_text(f"1{NBSP}000,50{NBSP}€")
    expect(total(page, "gap")).to_have_text(f"1{NBSP}000,50{NBSP}€")

    # Enter moves to the next amount (Charges sociales) instead of submitting.
    salaries.press("Enter")
    expect(amount_input(page, "Charges sociales")).to_be_focused()
    page.keyboard.type("2000.25")
    expect(total(page, "charge")).to_have_text(f"3{NBSP}000,75{NBSP}€")

    amount_input(page, "Dont cotisations, dons manuels ou legs").fill("2500,75")
    page.get_by_role("button", name="Ajouter une ligne au chapitre 74").click()
    new_row = page.locator("tr.new-row")
    expect(new_row.locator("input.account-input")).to_be_focused()
    page.keyboard.type("02")
    new_row.locator("input.label-input").fill("Région Sud")
    new_row.locator("input.amount-input").fill("500")
    expect(total(page, "produit")).to_have_text(f"3{NBSP}000,75{NBSP}€")
    expect(total(page, "gap")).to_have_text("équilibré")
    expect(page.locator('[data-chapter-total="74"]')).to_have_text(f"500,00{NBSP}€")

    page.get_by_role("button", name="Enregistrer le budget").click()
    page.wait_for_url(f"{live_server.url}/associations/budgets/{budget.pk}/")
    expect(page.get_by_text("Le budget a été enregistré.")).to_be_visible()
    expect(page.get_by_text("Aucune incohérence")).to_be_visible()
    assert_accessible(page)

    budget.refresh_from_db()
    assert budget.total_charges == budget.total_products == Decimal("3000.75")
    region = budget.lines.get(label="Région Sud")
    assert (region.account, region.is_public) == ("7402", True)
