import pytest

# Every test in this folder drives Chromium against the live server.
pytestmark = pytest.mark.browser

_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolation(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " on "
    + event.documentURI + (event.sample ? " (" + event.sample + ")" : "")
  );
});
"""


@pytest.fixture(autouse=True)
def _browser_defaults(page):
    page.set_default_timeout(15_000)


@pytest.fixture(autouse=True)
def _no_csp_violation(page):
    """Fails the test if any page it visited broke the Content Security Policy (or if the
    browser rejected the Permissions-Policy header)."""
    violations = []

    def record(text):
        violations.append(text)

    def record_console(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            violations.append(message.text)

    page.expose_function("__cspViolation", record)
    page.add_init_script(_REPORT_VIOLATIONS)
    page.on("console", record_console)
    yield violations
    assert not violations, "Violations de la CSP :\n" + "\n".join(violations)
