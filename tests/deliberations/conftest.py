import pytest

from deliberations import pdf

FAKE_PDF = b"%PDF-1.4\n% fake extract for tests that do not read the PDF\n%%EOF\n"


@pytest.fixture
def fake_render(monkeypatch):
    """Replace WeasyPrint (about a second per PDF) where a test does not read the PDF."""
    calls = []

    def render(html, **kwargs):
        calls.append(html)
        return FAKE_PDF

    monkeypatch.setattr(pdf, "render_pdf", render)
    return calls
