"""Shared helpers for browser tests (Playwright on Debian's Chromium)."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def login(page, live_server, username, password="secret-pass-123"):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")


def serious_violations(page):
    """axe-core's serious and critical violations on the current page, as readable strings."""
    result = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result.response["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]


def assert_accessible(page):
    violations = serious_violations(page)
    assert not violations, f"{page.url}: " + "\n".join(violations)


def choose(page, label, typed, option):
    """Pick a value in a search field (static/js/autocomplete.js) the way a user does: type in
    the combobox labelled `label`, then click the suggestion whose text contains `option`."""
    field = page.get_by_role("combobox", name=label)
    field.fill(typed)
    page.get_by_role("listbox").get_by_role("option", name=option).first.click()
    return field
