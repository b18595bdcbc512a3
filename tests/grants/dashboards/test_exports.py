"""The dashboards' Excel files: real numbers in euros, frozen header, filters, and user text
that never becomes a formula."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.finance.exports import EURO_FORMAT
from grants.models import Grant, Role
from tests.factories import UserFactory

from .factories import known_data

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org","clic")'


@pytest.fixture
def data():
    return known_data()


def workbook(client, block, **params):
    response = client.get(reverse("dashboard_export", args=[block]), {"exercice": 2024, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def viewer_client(client, data):
    client.force_login(UserFactory(role=Role.VIEWER, authority=data.authority))
    return client


def rows_of(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_aid_scheme_export_has_number_cells_in_euros(viewer_client, data):
    sheet = workbook(viewer_client, "dispositif").worksheets[0]
    rows = rows_of(sheet)
    assert rows[0] == ["Dispositif d'aide", "Exercice", "Proposé", "Voté", "Engagé", "Payé"]
    culture_2024 = next(r for r in rows if r[:2] == ["Culture", 2024])
    assert culture_2024[2:] == [5000.55, 10000.1, 10000.1, 8000.08]
    cell = next(c for c in sheet.iter_rows(min_row=2) if c[0].value == "Culture")[3]
    assert cell.data_type == "n" and cell.number_format == EURO_FORMAT
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:F")
    assert rows[-1][0] == "Total" and rows[-1][3].startswith("=SUBTOTAL(9,D2:D")


def test_a_label_typed_like_a_formula_is_written_as_text(viewer_client, data):
    Grant.objects.filter(pk=data.culture_grant.pk).update(aid_scheme_label=FORMULA)
    sheet = workbook(viewer_client, "dispositif").worksheets[0]
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == FORMULA)
    assert cell.data_type == "s"


def test_the_domain_export_has_no_totals_row_since_a_grant_counts_in_several_domains(
    viewer_client, data
):
    book = workbook(viewer_client, "domaine")
    rows = rows_of(book.worksheets[0])
    assert ["Jeunesse", 2024, 0, 10000.1, 10000.1, 8000.08] in rows
    assert all(not isinstance(v, str) or not v.startswith("=") for r in rows for v in r)
    notes = dict((r[0], r[1]) for r in rows_of(book["Informations"]))
    assert "compte, entière, dans chacun" in notes["Note"]
    assert notes["Collectivité"] == "Métropole A"


def test_the_budget_lines_export(viewer_client, data):
    rows = rows_of(workbook(viewer_client, "lignes").worksheets[0])
    line = rows[1]
    assert line[3:8] == [100000, 10000.1, 10000.1, 8000.08, 89999.9]
    assert Decimal(str(line[8])).quantize(Decimal("0.0001")) == Decimal("0.1000")


def test_the_monthly_payments_and_beneficiaries_exports(viewer_client, data):
    months = rows_of(workbook(viewer_client, "mois", annees=3).worksheets[0])
    assert [2024, 3, "mars", 8000.08, 1] in months
    top = rows_of(workbook(viewer_client, "beneficiaires").worksheets[0])
    assert top[0] == ["Association", "Voté 2022", "Voté 2023", "Voté 2024", "Engagé 2024",
                      "Payé 2024"]  # fmt: skip
    assert top[1] == ["Association X", 0, 0, 10000.1, 10000.1, 8000.08]


def test_the_export_of_another_role_is_refused(client, data):
    client.force_login(UserFactory(role=Role.MANAGER, authority=None))
    assert client.get(reverse("dashboard_export", args=["mois"])).status_code == 403


@pytest.mark.parametrize("text", ["=1+1", "+33 4 91 00 00 00", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_trigger_is_written_as_text(text):
    from grants.finance.exports import Column, write_workbook

    target = io.BytesIO()
    write_workbook(target, title="Essai", columns=[Column("Texte")], rows=[(text,)])
    target.seek(0)
    cell = load_workbook(target).worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_the_late_justificatifs_export_lists_every_late_piece(viewer_client, data):
    import datetime

    from django.utils import timezone

    from conventions.models import Justificatif
    from tests.grants.finance.factories import ConventionFactory

    from .factories import justificatif

    due = timezone.localdate() - datetime.timedelta(days=10)
    association = data.culture_grant.association
    conventions = [ConventionFactory(association=association, year=2024) for _ in range(3)]
    for convention in conventions:
        for kind in Justificatif.Kind.values:
            justificatif(convention, kind, due)
    justificatif(data.conventions[0], "rapport_cac", due, Justificatif.Status.ACCEPTED)
    rows = rows_of(workbook(viewer_client, "justificatifs").worksheets[0])
    body = rows[1:-1]  # header, then the rows, then the (empty) totals row
    assert len(body) == 3 * len(Justificatif.Kind.values) == 24  # more than the page's 20
    assert body[0][0] == "Association X" and body[0][2] == 2024 and body[0][6] == 10
    assert all(row[4] == "Déposé" for row in body)
