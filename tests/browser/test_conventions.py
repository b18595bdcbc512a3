import datetime
from decimal import Decimal

import pytest

from conventions.models import Convention
from grants.models import Role
from tests.browser.utils import assert_accessible, choose, login
from tests.conventions.factories import ConventionTemplateFactory, forecast_budget
from tests.deliberations.factories import DeliberationFactory, SessionFactory
from tests.factories import GrantFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def executory_deliberation(authority):
    return DeliberationFactory(
        authority=authority, session=SessionFactory(body__authority=authority), votes_for=10,
        prefecture_received_on=datetime.date(2024, 6, 21), published_on=datetime.date(2024, 6, 21),
    )  # fmt: skip


def test_staff_prepare_generate_mark_ready_and_record_signatures(page, live_server):
    grant = GrantFactory(amount=Decimal("66000.00"), year=2024, association__name="Pôle SCS")
    grant.deliberation = executory_deliberation(grant.authority)
    grant.save()
    budget = forecast_budget(grant.association, charges=Decimal("132000"), public=grant.amount)
    budget.lines.filter(is_public=True).update(authority=grant.authority)
    ConventionTemplateFactory(authority=grant.authority, name="Convention annuelle")
    UserFactory(username="marie", role=Role.INSTRUCTOR, authority=grant.authority)

    login(page, live_server, "marie")
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Subventions sans convention alors qu'obligatoire").click()
    assert_accessible(page)
    page.get_by_role("link", name="Préparer la convention").click()
    page.get_by_label("Modèle").select_option(label="Convention annuelle (v1)")
    page.get_by_label("Numéro").fill("2024-SCS-01")
    assert page.get_by_label("2024 — 66 000,00").is_checked()
    choose(page, "Budget prévisionnel (annexe I)", "pôle", "Budget prévisionnel")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    assert "Convention n° 2024-SCS-01" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Générer le PDF").click()
    # The page of the background job (run at once by the tests' immediate task backend).
    assert page.get_by_text("Le PDF de la convention est généré.").is_visible()
    assert page.get_by_role("link", name="Ouvrir le PDF").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Retour", exact=True).click()
    page.get_by_role("link", name="Déclarer prête pour signature").click()
    page.get_by_role("button", name="Déclarer prête pour signature").click()
    assert page.get_by_text("Prête pour signature", exact=True).first.is_visible()

    page.get_by_role("link", name="Enregistrer la signature de l'association").click()
    page.get_by_label("Nom du signataire").fill("Fabien ALLI")
    page.get_by_label("Date de signature").fill("2024-07-01")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la signature de l'association").click()
    page.get_by_role("link", name="Enregistrer la signature de la collectivité").click()
    page.get_by_label("Nom du signataire").fill("Martine VASSAL")
    page.get_by_label("Date de signature").fill("2024-07-03")
    page.get_by_role("button", name="Enregistrer la signature de la collectivité").click()

    assert page.get_by_text("Signée par les deux parties").first.is_visible()
    convention = Convention.objects.get(number="2024-SCS-01")
    assert convention.is_signed_by_both
    assert convention.association_signer_name == "Fabien ALLI"
    assert convention.pdf_sha256
