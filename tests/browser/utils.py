"""Shared helpers for browser tests (Playwright on Debian's Chromium)."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()

_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolation(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " on "
    + event.documentURI + (event.sample ? " (" + event.sample + ")" : "")
  );
});
"""


def watch_csp(page, violations):
    """Append to `violations` every Content Security Policy breach of the pages `page` opens
    (and the browser's rejection of the Permissions-Policy header). The `page` fixture is
    watched by conftest's _no_csp_violation; a page of another context is watched with it."""

    def record(text):
        violations.append(text)

    def record_console(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            violations.append(message.text)

    page.expose_function("__cspViolation", record)
    page.add_init_script(_REPORT_VIOLATIONS)
    page.on("console", record_console)


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


def declare_and_validate_bank_details(page, live_server, association_url, submitter, validator):
    """The association's bank details as the people do it: `submitter` (a manager or an
    instructor) declares the IBAN with its RIB on the association page, then `validator` (an
    instructor who did not type them) checks them against the RIB and validates them."""
    from tests.conventions.justificatifs.factories import pdf_bytes

    page.context.clear_cookies()
    login(page, live_server, submitter)
    page.goto(f"{live_server.url}{association_url}")
    page.get_by_role("link", name="Déclarer les coordonnées bancaires").click()
    page.get_by_label("Titulaire du compte").fill("Association (compte courant)")
    page.get_by_label("IBAN").fill("fr76 3000 6000 0112 3456 7890 189")
    page.get_by_label("BIC").fill("agrifrpp")
    page.get_by_label("RIB").set_input_files(
        {"name": "rib.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(text="RIB")}
    )
    page.get_by_role("button", name="Transmettre pour validation").click()
    page.get_by_text("en attente de validation").wait_for()
    page.context.clear_cookies()
    login(page, live_server, validator)
    page.goto(f"{live_server.url}{association_url}")
    page.get_by_role("link", name="Vérifier sur le RIB et valider").click()
    page.get_by_role("button", name="Valider : conformes au RIB").click()
    page.goto(f"{live_server.url}{association_url}")
    section = page.get_by_role("region", name="Coordonnées bancaires").inner_text()
    assert "Aucune coordonnée bancaire validée" not in section
    assert "en attente de validation" not in section
