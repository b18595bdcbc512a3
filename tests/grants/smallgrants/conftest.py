import pytest

from grants.smallgrants import pdf

FAKE_PDF = b"%PDF-1.4\n% fake letter for tests that do not read the PDF\n%%EOF\n"


@pytest.fixture
def fake_letter(monkeypatch):
    """Replace WeasyPrint (about a second per PDF) where a test does not read the letter."""
    calls = []

    def render(grant, **kwargs):
        calls.append((grant.pk, kwargs))
        return FAKE_PDF

    monkeypatch.setattr("grants.smallgrants.services.render_letter_pdf", render)
    return calls


__all__ = ["pdf"]
