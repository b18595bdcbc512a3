"""The SCS 2023 convention entered exactly as printed: its five paper errors are listed, and its
PDF (rendered once for the module) prints the right figures."""

import io
import re

import pytest
from pypdf import PdfReader

from associations.budgets.demo import load_budgets
from conventions.consistency import convention_problems
from conventions.demo import load_conventions
from conventions.models import Convention
from conventions.pdf import render_convention_pdf
from grants.demo import load_foundation

pytestmark = pytest.mark.django_db


class Out:
    def write(self, text):
        pass


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(
        "conventions.pdf.store_convention_pdf", lambda convention, user, files=None: b""
    )
    context = {}
    for loader in (load_foundation, load_budgets, load_conventions):
        context.update(loader(Out(), context) or {})
    return context


def test_the_scs_seed_shows_the_five_problems_of_the_paper(demo):
    messages = [p.message for p in convention_problems(demo["convention_scs"])]
    messages = [m.replace("\u00a0", " ") for m in messages]
    text = "\n".join(messages)
    assert "954 123,00 €" in text and "953 530,00 €" in text  # charges
    assert "953 330,00 €" in text  # produits
    share = next(m for m in messages if m.startswith("Article 4.2 : la part"))
    assert "5,7 %" in share and "hors contributions volontaires" in share
    assert "contributions volontaires comprises" in share and "6,9 %" in share
    assert any("« 1.163.53€ »" in m for m in messages)
    assert any("Fabien ALLI" in m and "Fabien AILLI" in m for m in messages)
    assert any("Rousset" in m and "ROUSSAS" in m for m in messages)


def test_the_demo_is_idempotent(demo):
    again = load_conventions(Out(), demo)
    assert again["convention_scs"].pk == demo["convention_scs"].pk
    assert Convention.objects.count() == 2
    assert demo["convention_scs"].programme_events.count() == 10


def test_the_scs_pdf_reads_like_the_seed(demo):
    convention = demo["convention_scs"]
    reader = PdfReader(io.BytesIO(render_convention_pdf(convention)))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    flat = " ".join(text.split()).replace("\u00a0", " ").replace("\u202f", " ")
    count = len(pages)
    assert f"Page 1 sur {count}" in pages[0]
    assert "ENTRE LES SOUSSIGNÉS" in pages[0] and "Fabien ALLI" in pages[0]
    assert "Table des matières" in pages[1]
    for title in (
        "PRÉAMBULE",
        "ARTICLE 1 : OBJET DE LA CONVENTION",
        "ARTICLE 4 : BUDGET PREVISIONNEL DE L'ASSOCIATION ET PARTICIPATION DE LA MÉTROPOLE",
        "ARTICLE 6 : OBLIGATIONS COMPTABLES",
        "ARTICLE 12 : RECOURS",
        "ARTICLE 13 : SIGNATURES",
        "ANNEXE I",
        "ANNEXE V",
    ):
        assert title in flat, title
    assert "66 000,00 €" in flat
    assert "soixante-six mille euros" in flat
    assert (
        "6,9 % du budget prévisionnel global de l'association (hors contributions volontaires)"
        in flat
    )
    assert "5,7 % de ce budget contributions volontaires comprises" in flat
    assert "acompte maximum de 80 %" in flat
    assert "Tribunal Administratif de Marseille" in flat
    # Annex I prints the sums of its lines, not the paper's totals.
    assert "TOTAL DES CHARGES 954 123" in flat
    assert "TOTAL DES PRODUITS 953 330" in flat
    assert "1 164 123" in flat
    assert "Fabien AILLI" in flat  # the signature block as typed
    assert "Cloud & Cyber Expo" in flat and "Dates 2023 non connues à ce jour" in flat
    assert "Montant des fonds levés par les Startups/PMEs de SCS : 30M€" in flat
    # The table of contents carries page numbers.
    toc = " ".join(pages[1].split())
    assert re.search(r"PRÉAMBULE \.+ ?3\b", toc), toc[:200]
    assert re.search(r"ARTICLE 4 : .*? \.+ ?5\b", toc)
