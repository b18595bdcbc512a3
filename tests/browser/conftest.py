import pytest

# Every test in this folder drives Chromium against the live server.
pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _browser_defaults(page):
    page.set_default_timeout(15_000)
