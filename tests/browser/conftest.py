import pytest

from tests.browser.utils import watch_csp

# Every test in this folder drives Chromium against the live server.
pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _browser_defaults(page):
    page.set_default_timeout(15_000)


@pytest.fixture(autouse=True)
def _no_csp_violation(page):
    """Fails the test if any page it visited broke the Content Security Policy (or if the
    browser rejected the Permissions-Policy header)."""
    violations = []
    watch_csp(page, violations)
    yield violations
    assert not violations, "Violations de la CSP :\n" + "\n".join(violations)
