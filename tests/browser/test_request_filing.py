"""A manager types a request's step in the browser: each field is saved in the background, an
invalid value is kept with its French error, and when the session expired what is typed stays
in the browser until they log in again, then is saved."""

import pytest
from playwright.sync_api import expect

from grants.requests.models import SubsidyRequest
from tests.browser.utils import assert_accessible, login
from tests.grants.requests.factories import SubsidyRequestFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]


def test_fields_are_saved_as_typed_and_nothing_is_lost_when_logged_out(page, live_server):
    draft = SubsidyRequestFactory()
    manager = draft.created_by
    manager.username = "gestionnaire"
    manager.save()
    login(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/demandes/{draft.pk}/etapes/ressources-humaines/")
    assert_accessible(page)
    status = page.locator("[data-autosave-status]")

    page.get_by_label("Nombre d'adhérents").fill("120")
    page.get_by_label("Nombre de bénévoles").fill("douze")
    page.get_by_label("Nombre de salariés").click()  # leaving the field: « change »
    expect(status).to_contain_text("Enregistré à")
    expect(page.get_by_text("Saisissez un nombre entier.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.members_count == 120
    assert draft.draft_data["invalid"] == {"volunteers_count": "douze"}

    # The session expires (cookies gone): the next change is refused, and said so.
    page.context.clear_cookies()
    page.get_by_label("Nombre de salariés").fill("3")
    page.get_by_label("Nombre d'adhérents").click()
    expect(status).to_have_text("Vous avez été déconnecté : reconnectez-vous, rien n'est perdu.")
    draft.refresh_from_db()
    assert draft.employees_count is None

    # Logged in again, the page comes back with what was typed, and saves it.
    login(page, live_server, "gestionnaire")
    page.goto(f"{live_server.url}/demandes/{draft.pk}/etapes/ressources-humaines/")
    expect(page.get_by_label("Nombre de salariés")).to_have_value("3")
    expect(status).to_contain_text("Enregistré à")
    assert SubsidyRequest.objects.get(pk=draft.pk).employees_count == 3
