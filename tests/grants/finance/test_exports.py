"""Excel exports read back with openpyxl: real numbers and dates, formats, totals, filters."""

import datetime
import io
import tempfile
import tracemalloc
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.finance import exports
from grants.models import Payment
from tests.factories import AuthorityFactory, GrantFactory
from tests.grants.finance.factories import (
    BudgetLineFactory,
    ClawbackFactory,
    CommitmentFactory,
    PaymentFactory,
    convention_with,
    finance_of,
    instructor_of,
)

pytestmark = pytest.mark.django_db
D = Decimal
EURO = '#,##0.00 "€"'


def workbook_of(response):
    assert response.status_code == 200
    assert response.streaming  # streamed from a temporary file, never built in memory
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def header(sheet):
    return [cell.value for cell in sheet[1]]


@pytest.fixture
def authority():
    return AuthorityFactory(name="Saint-Étienne Métropole")


@pytest.fixture
def finance(authority):
    return finance_of(authority)


@pytest.fixture
def lines(authority):
    sufli = BudgetLineFactory(
        authority=authority,
        year=2024,
        service_codes="INUM/SUFLI",
        nature="65748",
        label="Subventions aux pôles",
        voted_credits=D("350000.00"),
    )
    grant = GrantFactory(authority=authority, year=2024, amount=D("62500.00"))
    CommitmentFactory(grant=grant, budget_line=sufli, number="2024-EJ-000912")
    other = BudgetLineFactory(
        authority=authority,
        year=2024,
        service_codes="CULT/ASSO",
        nature="65748",
        label="Culture",
        voted_credits=D("1000.50"),
    )
    BudgetLineFactory(authority=authority, year=2023, voted_credits=D("999.99"))
    return sufli, other


def test_budget_lines_export_has_real_numbers_formats_and_totals(client, finance, lines):
    client.force_login(finance)
    book = workbook_of(
        client.get(reverse("budget_line_export"), {"year": 2024, "ordering": "-voted"})
    )
    sheet = book["Lignes budgétaires"]
    assert header(sheet)[:9] == [
        "Exercice",
        "Budget",
        "Section",
        "Chapitre",
        "Nature",
        "Codes service",
        "Imputation",
        "Libellé",
        "Crédits votés",
    ]
    first = [cell for cell in sheet[2]]
    assert first[0].value == 2024 and first[0].data_type == "n"
    assert first[6].value == "INUM/SUFLI/65748"
    voted, committed, ordered, paid, available, rate = (c.value for c in first[8:14])
    assert (voted, committed, ordered, paid, available) == (350000, 62500, 0, 0, 287500)
    assert all(c.data_type == "n" and c.number_format == EURO for c in first[8:13])
    assert rate == pytest.approx(62500 / 350000)
    assert first[13].number_format == "0.0 %"
    second = [cell.value for cell in sheet[3]]
    assert second[6] == "CULT/ASSO/65748" and second[8] == pytest.approx(1000.50)
    # Only the filtered year: two lines, then the totals row.
    assert sheet.max_row == 4
    totals = [cell for cell in sheet[4]]
    assert totals[0].value == "Total"
    assert totals[8].value == "=SUBTOTAL(9,I2:I3)"
    assert totals[12].value == "=SUBTOTAL(9,M2:M3)"
    assert totals[8].number_format == EURO and totals[8].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N3"
    assert sheet.column_dimensions["H"].width == 44
    info = {row[0].value: row[1].value for row in book["Informations"].iter_rows()}
    assert info["Lignes"] == 2
    assert info["Filtre : Exercice"] == "2024"


def test_the_export_holds_exactly_the_rows_of_the_list(client, finance, lines):
    client.force_login(finance)
    params = {"q": "culture"}
    listed = client.get(reverse("budget_line_list"), params).context["page"].paginator.count
    sheet = workbook_of(client.get(reverse("budget_line_export"), params))["Lignes budgétaires"]
    assert listed == 1
    assert sheet.max_row - 2 == listed  # minus the header and the totals row
    assert sheet["H2"].value == "Culture"


def test_grants_export_of_a_year(client, authority, finance, lines):
    GrantFactory(authority=authority, year=2023, amount=D("1.00"))
    client.force_login(finance)
    response = client.get(reverse("grant_export"), {"year": 2024})
    assert 'filename="subventions-2024.xlsx"' in response["Content-Disposition"]
    sheet = workbook_of(response)["Subventions 2024"]
    assert sheet.max_row == 3
    row = {h: c for h, c in zip(header(sheet), sheet[2], strict=True)}
    assert row["Montant voté"].value == 62500
    assert row["Montant voté"].number_format == EURO
    assert row["N° d'engagement"].value == "2024-EJ-000912"
    assert row["Ligne d'engagement"].value == "INUM/SUFLI/65748"
    assert row["Date d'engagement"].value == datetime.datetime(2024, 7, 1)
    assert row["Date d'engagement"].number_format == "dd/mm/yyyy"
    assert sheet["G3"].value == "=SUBTOTAL(9,G2:G2)"


def paid_payment(convention, number, paid_date, amount="52800.00"):
    authority = convention.authority
    return PaymentFactory(
        convention=convention,
        amount=D(amount),
        status=Payment.Status.PAID,
        certified_by=instructor_of(authority),
        certified_at=timezone.now(),
        commitment=CommitmentFactory(grant=convention.grants.get()),
        order_number=number,
        order_date=paid_date,
        ordered_by=finance_of(authority),
        paid_date=paid_date,
    )


def test_payments_export_of_a_period(client, authority, finance):
    first = convention_with(association__authority=authority, association__name="Minalogic")
    paid_payment(first, "M-1", datetime.date(2024, 6, 12))
    second = convention_with(association__authority=authority)
    paid_payment(second, "M-2", datetime.date(2024, 9, 2), amount="1000.00")
    PaymentFactory(convention=convention_with(association__authority=authority))  # requested
    client.force_login(finance)
    params = {"period_on": "paid_date", "start": "2024-06-01", "end": "2024-06-30"}
    sheet = workbook_of(client.get(reverse("payment_export"), params))["Versements"]
    assert sheet.max_row == 3
    row = {h: c.value for h, c in zip(header(sheet), sheet[2], strict=True)}
    assert row["Association"] == "Minalogic"
    assert row["Nature"] == "Acompte"
    assert row["État"] == "Payé"
    assert row["Montant"] == 52800
    assert row["N° de mandat"] == "M-1"
    assert row["Payé le"] == datetime.datetime(2024, 6, 12)
    assert row["Demandé le"] == datetime.datetime.combine(timezone.localdate(), datetime.time())
    assert sheet["F3"].value == "=SUBTOTAL(9,F2:F2)"
    # Without the period: all three payments.
    assert workbook_of(client.get(reverse("payment_export")))["Versements"].max_row == 5


def test_clawbacks_export(client, authority, finance):
    convention = convention_with(association__authority=authority)
    ClawbackFactory(
        convention=convention,
        amount=D("12800.00"),
        amount_due=D("40000.00"),
        title_number="T-2024-118",
    )
    client.force_login(finance)
    sheet = workbook_of(client.get(reverse("clawback_export")))["Reversements"]
    row = {h: c for h, c in zip(header(sheet), sheet[2], strict=True)}
    assert row["N° du titre de recettes"].value == "T-2024-118"
    assert row["Montant reversé"].value == 12800
    assert row["Montant reversé"].number_format == EURO
    assert row["Date du titre"].value == datetime.datetime(2024, 9, 2)


def test_an_empty_export_still_has_its_header_and_a_zero_total(client, finance):
    client.force_login(finance)
    sheet = workbook_of(client.get(reverse("clawback_export")))["Reversements"]
    assert sheet.max_row == 2
    assert sheet["A2"].value == "Total" and sheet["F2"].value == 0
    assert sheet.auto_filter.ref == "A1:L1"


def test_exports_never_leak_another_authority(client, lines):
    client.force_login(finance_of(AuthorityFactory()))
    sheet = workbook_of(client.get(reverse("budget_line_export")))["Lignes budgétaires"]
    assert sheet.max_row == 2  # header and totals only


def peak_memory(rows):
    columns = exports.PAYMENT_COLUMNS
    row = (
        "Association",
        "C-1",
        2024,
        "Acompte",
        "Payé",
        D("52800.00"),
        datetime.date(2024, 6, 1),
        "Signataire",
        datetime.date(2024, 6, 2),
        "Agent",
        "M-1",
        datetime.date(2024, 6, 3),
        "EJ-1",
        "INUM/SUFLI/65748",
        datetime.date(2024, 6, 4),
        None,
    )
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as target:
            count = exports.write_workbook(
                target, title="Versements", columns=columns, rows=(row for _ in range(rows))
            )
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_workbook_is_written_in_constant_memory():
    # Kept small because tracemalloc slows openpyxl down tenfold; bench_exports measures
    # 100 000 rows.
    small_count, small_peak = peak_memory(200)
    large_count, large_peak = peak_memory(2_000)
    assert (small_count, large_count) == (200, 2_000)
    # Ten times the rows, the same memory give or take 100 kB: rows stream to a temporary file.
    assert large_peak < small_peak + 100_000
