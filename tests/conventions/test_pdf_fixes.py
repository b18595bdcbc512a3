"""What the convention PDF prints (issue 13, items 2 and 7): the deliberation on page 1, the
sums of annex I's chapters, a CPO's years and amounts per year, no doubled bullets."""

import datetime
import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from associations.models import AssociationBudgetLine
from conventions.document import annex1_rows, document_data, markdown_to_html
from conventions.models import Convention
from conventions.pdf import render_convention_pdf
from deliberations.models import Deliberation
from tests.conventions.factories import ConventionFactory, ConventionTemplateFactory
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db


def pdf_text(convention):
    reader = PdfReader(io.BytesIO(render_convention_pdf(convention)))
    pages = [page.extract_text() for page in reader.pages]
    return [" ".join(page.replace("\xa0", " ").split()) for page in pages], reader


def deliberation_for(authority, number="2024.00344", day=datetime.date(2024, 6, 13)):
    """A deliberation of a session held on `day` (the fields the PDF reads)."""
    from tests.deliberations.factories import DeliberationFactory, SessionFactory

    session = SessionFactory(body__authority=authority, date=day)
    deliberation = DeliberationFactory(authority=authority, number=number, session=session)
    return Deliberation.objects.select_related("session").get(pk=deliberation.pk)


def test_page_one_cites_the_deliberation_number_and_date():
    convention = ConventionFactory()
    template = convention.template
    template.signatory_clause = "Sa Présidente en exercice régulièrement habilitée"
    template.save()
    deliberation = deliberation_for(convention.authority)
    Convention.objects.filter(pk=convention.pk).update(deliberation=deliberation)
    pages, _ = pdf_text(convention)
    assert "par délibération n° 2024.00344 du 13/06/2024" in pages[0]


def test_page_one_cites_the_grants_deliberation_when_the_convention_has_none():
    convention = ConventionFactory()
    deliberation = deliberation_for(convention.authority, number="2024.00500")
    convention.grants.update(deliberation=deliberation)
    data = document_data(convention)
    assert data["values"]["deliberation_number"] == "2024.00500"
    assert data["values"]["deliberation_date"] == "13/06/2024"


def test_annex_one_chapter_rows_carry_the_sum_of_their_lines():
    from tests.conventions.factories import forecast_budget

    convention = ConventionFactory()
    budget = forecast_budget(convention.association, charges=D("48465"))
    AssociationBudgetLine.objects.create(
        budget=budget, side="charge", account="622", label="Honoraires", amount=D("1535")
    )
    rows = annex1_rows(budget)
    charges = [left for left, _ in rows["main"] if left]
    chapter_64 = next(row for row in charges if row["label"].startswith("64 "))
    chapter_62 = next(row for row in charges if row["label"].startswith("62 "))
    assert chapter_64["amount"] == D("48465.00")
    assert chapter_62["amount"] == D("1535.00")
    chapter_sum = sum(row["amount"] for row in charges if row["is_chapter"])
    assert chapter_sum == rows["total_charges"] == D("50000.00")


def test_pasted_bullets_are_not_doubled():
    html = markdown_to_html("Les actions :\n- ⇒ Sessions de formation\n• Un diagnostic")
    assert "⇒" not in html and "•" not in html
    assert html.count("<li>") == 2
    assert "<li>Sessions de formation</li>" in html


def test_the_pdf_tables_are_at_least_8_points_and_annex_three_tables_are_landscape():
    from conventions.pdf import render_convention_html

    convention = ConventionFactory()
    convention.programme_text = "Texte\n\n[[salons]]\n\nSuite"
    convention.save()
    convention.programme_events.create(kind="salon", name="MWC", city="Barcelone")
    html = render_convention_html(convention)
    assert "font-size: 6" not in html and "font-size: 7" not in html
    _, reader = pdf_text(convention)
    sizes = {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages}
    assert (842, 595) in sizes  # the trade-fair table on an A4 landscape page
    assert (595, 842) in sizes


def test_a_three_year_convention_states_its_years_and_amounts():
    template = ConventionTemplateFactory(
        title="CONVENTION ANNUELLE D'OBJECTIFS",
        sections=[
            (1, "1", "OBJET", "{{ objectives }}"),
            (1, "2", "DURÉE", "Conclue pour l'exercice budgétaire {{ year }}."),
            (1, "4", "BUDGET ET PARTICIPATION", ""),
            (2, "4.2", "Participation", "Montant : {{ amount }} ({{ amount_in_words }})."),
        ],
    )
    convention = ConventionFactory(
        template=template,
        authority=template.authority,
        association__authority=template.authority,
        year=2024,
        kind=Convention.Kind.MULTI_YEAR,
        end_year=2026,
        grants=[],
    )
    convention.grants.set(
        [
            GrantFactory(
                authority=convention.authority,
                association=convention.association,
                year=year,
                amount=D(amount),
            )
            for year, amount in ((2024, "60000.00"), (2025, "62500.50"), (2026, "65000.00"))
        ]
    )
    pages, _ = pdf_text(convention)
    text = " ".join(pages)
    assert "CONVENTION PLURIANNUELLE D'OBJECTIFS" in pages[0]
    assert "conclue pour les années 2024, 2025 et 2026" in text
    assert "2024 60 000,00 € soixante mille euros" in text
    assert "2025 62 500,50 € soixante-deux mille cinq cents euros et cinquante centimes" in text
    assert "2026 65 000,00 € soixante-cinq mille euros" in text
    assert "Total 187 500,50 €" in text
