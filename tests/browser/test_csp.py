"""Every page reachable from the menus obeys the Content Security Policy (no console violation).

The autouse fixture of conftest.py records the violations of every browser test; this file also
walks, for each kind of account, every page linked from the home page outwards.
"""

import io
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from tests.browser.utils import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Not pages: files to download, the admin (Django's own templates), actions.
SKIPPED = ("/admin/", "/compte/deconnexion/", "/static/", "/fichiers/")
MAX_PAGES = 120


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = False
    call_command("load_demo", "--force", stdout=io.StringIO())


def crawl(page, start):
    origin = urlparse(start).netloc
    seen, queue, visited = {start}, [start], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a file served as an attachment is not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href).url
            parsed = urlparse(href)
            if parsed.netloc != origin or parsed.path.startswith(SKIPPED):
                continue
            if parsed.path.endswith((".pdf", ".xlsx", ".csv", "/telecharger/")):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return visited


def test_a_violation_is_caught(page, live_server, _no_csp_violation):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style-src" in violation for violation in _no_csp_violation)
    _no_csp_violation.clear()


@pytest.mark.parametrize("username", ["admin", "instructeur", "financier", "asso-scs"])
def test_every_linked_page_obeys_the_policy(page, live_server, demo, username, _no_csp_violation):
    login(page, live_server, username, "demo")
    visited = crawl(page, f"{live_server.url}/")
    assert len(visited) > 10, visited
    assert not _no_csp_violation, "\n".join(_no_csp_violation)
