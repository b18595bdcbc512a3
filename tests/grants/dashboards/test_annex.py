"""The annual annex list of subsidies (CGCT L.2313-1, L.5211-36) of the demo: Saint-Étienne
Métropole's 2024 list holds the 62 500 € granted to Minalogic by deliberation 2024.00344."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from grants.dashboards import annex
from grants.finance.exports import EURO_FORMAT
from grants.models import Grant, User

pytestmark = pytest.mark.django_db

CA = {"exercice": 2024, "document": "compte-administratif"}


@pytest.fixture
def demo(client):
    call_command("load_demo", force=True)
    client.force_login(User.objects.get(username="financier-sem"))
    return client


def test_the_annex_xlsx_of_the_demo(demo):
    response = demo.get(reverse("annex_xlsx"), CA)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        'filename="annexe-subventions-compte-administratif-2024-244200770.xlsx"'
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Bénéficiaire", "SIRET / SIREN", "Objet", "Nature", "Montant"]
    name, _, obj, nature, amount, state, number, voted_on = rows[1]
    assert (name, nature, amount, state, number) == (
        "Minalogic",
        "Fonctionnement global",
        62500,
        "votée",
        "2024.00344",
    )
    assert "Animation de l'écosystème" in obj
    assert voted_on.date().isoformat() == "2024-06-13"
    assert sheet.cell(row=2, column=5).number_format == EURO_FORMAT
    assert rows[2][0] == "Total" and rows[2][4] == "=SUBTOTAL(9,E2:E2)"
    info = dict((r[0].value, r[1].value) for r in book["Informations"].iter_rows())
    assert info["Collectivité"] == "Saint-Étienne Métropole"
    assert info["Document"] == "Compte administratif"
    assert "L.2313-1" in info["Objet"]


def test_the_annex_pdf_of_the_demo(demo):
    response = demo.get(reverse("annex_pdf"), CA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\u202f", " ")
    text = text.replace("\u00a0", " ")
    assert "SAINT-ÉTIENNE MÉTROPOLE" in text.upper()
    assert "Annexe au compte administratif — exercice 2024" in text
    assert "L.2313-1 et L.5211-36" in text
    assert "Minalogic" in text and "62 500,00 €" in text
    assert "n° 2024.00344 du 13/06/2024" in text
    assert "1 subvention pour un total de 62 500,00 €" in text
    assert "Page 1 sur 1" in text


def test_the_same_list_is_laid_out_once(demo, monkeypatch):
    calls = []

    def render(html):
        calls.append(html)
        return b"%PDF-1.4 fake\n%%EOF\n"

    monkeypatch.setattr(annex.safe_pdf, "render_pdf", render)
    assert demo.get(reverse("annex_pdf"), CA).status_code == 200
    assert demo.get(reverse("annex_pdf"), CA).status_code == 200
    assert len(calls) == 1
    # A change in the list lays it out again.
    Grant.objects.filter(year=2024, association__name="Minalogic").update(object="Autre objet")
    assert demo.get(reverse("annex_pdf"), CA).status_code == 200
    assert len(calls) == 2


def test_user_text_never_reaches_the_pdf_style(demo):
    Grant.objects.filter(year=2024, association__name="Minalogic").update(
        object="</style><style>body{display:none}"
    )
    user = User.objects.get(username="financier-sem")
    html = annex.annex_html(user, user.authority, 2024, annex.ACCOUNTS)
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "Minalogic" not in style and "display:none" not in style
    assert "&lt;/style&gt;" in html


def test_with_a_background_worker_the_page_says_the_pdf_is_being_prepared(demo, monkeypatch):
    started = []

    class QueuedTask:  # a worker backend: enqueue() returns before the PDF exists
        def enqueue(self, *args):
            started.append(args)

    monkeypatch.setattr(annex, "build_annex_pdf", QueuedTask())
    response = demo.get(reverse("annex_pdf"), CA)
    assert response.status_code == 202
    assert "en cours de mise en page" in response.content.decode()
    user = User.objects.get(username="financier-sem")
    assert started == [(user.pk, user.authority_id, 2024, "compte-administratif")]
