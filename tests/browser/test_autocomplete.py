"""The search fields that replace the selects of big tables, used with the keyboard alone."""

from decimal import Decimal

import pytest

from conventions.models import Convention
from grants.models import Role
from tests.browser.utils import assert_accessible, login
from tests.conventions.factories import ConventionTemplateFactory
from tests.factories import AssociationFactory, GrantFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_new_convention_chooses_its_association_by_typing_and_the_keyboard(page, live_server):
    grant = GrantFactory(amount=Decimal("66000.00"), year=2024, association__name="Pôle SCS")
    authority = grant.authority
    AssociationFactory(authority=authority, name="Pôle Mer Méditerranée")
    AssociationFactory(name="Pôle SCS d'une autre collectivité")  # never suggested
    ConventionTemplateFactory(authority=authority, name="Convention annuelle")
    UserFactory(username="marie", role=Role.INSTRUCTOR, authority=authority)

    login(page, live_server, "marie")
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Nouvelle convention").click()
    field = page.get_by_role("combobox", name="Association")
    field.fill("pôle")
    options = page.get_by_role("listbox").get_by_role("option")
    options.first.wait_for()
    assert options.all_inner_texts() == [
        "Pôle Mer Méditerranée (Marseille)",
        "Pôle SCS (Marseille)",
    ]
    assert_accessible(page)
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value() == "Pôle SCS (Marseille)"
    # Choosing it lists its grants in place (no reload, nothing typed lost).
    page.get_by_label("2024 — 66 000,00").wait_for()
    assert field.input_value() == "Pôle SCS (Marseille)"
    page.get_by_label("Modèle").select_option(label="Convention annuelle (v1)")
    page.get_by_role("spinbutton", name="Exercice (obligatoire)").fill("2024")
    page.get_by_label("Numéro").fill("2024-SCS-01")
    page.get_by_label("2024 — 66 000,00").check()
    page.get_by_role("button", name="Enregistrer").click()

    assert "Convention n° 2024-SCS-01" in page.get_by_role("heading", level=1).inner_text()
    convention = Convention.objects.get(number="2024-SCS-01")
    assert convention.association == grant.association
    assert list(convention.grants.all()) == [grant]
