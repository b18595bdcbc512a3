"""Content Security Policy and Permissions-Policy on served pages; templates that obey them."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
# Rendered by WeasyPrint into PDFs, never served to a browser.
PDF_TEMPLATES = (
    "conventions/templates/conventions/pdf/",
    "templates/deliberations/pdf/",
    "templates/grants/smallgrants/pdf/",
    "templates/grants/requests/pdf/",
    "templates/grants/dashboards/annex_pdf.html",
)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy(client):
    client.force_login(UserFactory())
    policy = directives(client.get(reverse("home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_login_page_and_errors_carry_the_policy_too(client):
    assert "Content-Security-Policy" in client.get(reverse("login")).headers
    assert "Content-Security-Policy" in client.get("/page-qui-n-existe-pas/").headers


def test_pages_switch_off_the_browser_features_we_never_use(client):
    header = client.get(reverse("login")).headers["Permissions-Policy"]
    features = dict(item.strip().split("=") for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def served_templates():
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    for path in sorted(path for folder in folders for path in folder.glob("**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(PDF_TEMPLATES):
            continue
        yield relative, path.read_text()


def test_no_served_template_needs_unsafe_inline():
    offenders = []
    for relative, text in served_templates():
        for name, pattern in (
            ("script inline", INLINE_SCRIPT),
            ("bloc <style>", STYLE_BLOCK),
            ("attribut style", STYLE_ATTRIBUTE),
            ("gestionnaire on…", HANDLER_ATTRIBUTE),
            ("URL javascript:", JAVASCRIPT_URL),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{relative}:{line}: {name}")
    assert list(served_templates()), "no template found"
    assert not offenders, "\n".join(offenders)


def test_the_charts_draw_without_style_attributes():
    for module in ("associations/indicators/chart.py", "associations/budgets/chart.py"):
        path = ROOT / module
        if path.exists():
            assert not STYLE_ATTRIBUTE.search(path.read_text()), module
