import datetime
from decimal import Decimal

import pytest

from conventions.consistency import parse_typed_amount
from conventions.document import amount_in_words
from grants import rules


@pytest.mark.parametrize(
    ("amount", "required"),
    [("23000.00", False), ("23000.01", True), ("22999.99", False), ("66000.00", True)],
)
def test_convention_is_required_strictly_above_23000_euros(amount, required):
    assert rules.convention_required(Decimal(amount)) is required


@pytest.mark.parametrize(("subsidies", "required"), [("153000.00", False), ("153000.01", True)])
def test_auditor_is_required_strictly_above_153000_euros_of_public_subsidies(subsidies, required):
    assert rules.auditor_required(Decimal(subsidies)) is required


@pytest.mark.parametrize(
    ("grant", "budget", "required"),
    [
        ("75000.00", "1000000", False),
        ("75000.01", "1000000", True),
        ("50000.00", "100000.00", False),  # exactly 50 %
        ("50000.01", "100000.00", True),  # just above 50 %
        ("10000.00", "0", False),  # no budget known: only the 75 000 € rule applies
    ],
)
def test_certified_accounts_above_75000_or_half_of_the_budget(grant, budget, required):
    assert rules.certified_accounts_required(Decimal(grant), Decimal(budget)) is required


def test_share_of_the_budget_with_and_without_voluntary_contributions():
    # The SCS seed: 66 000 € over 953 530 € (without) and 1 163 530 € (with contributions).
    assert rules.share_of_budget(Decimal("66000"), Decimal("953530")) == Decimal("6.9")
    assert rules.share_of_budget(Decimal("66000"), Decimal("1163530")) == Decimal("5.7")
    assert rules.share_of_budget(Decimal("66000"), Decimal("0")) is None


def test_share_rounds_half_up():
    assert rules.share_of_budget(Decimal("1"), Decimal("8")) == Decimal("12.5")
    assert rules.share_of_budget(Decimal("1"), Decimal("16"), places=1) == Decimal("6.3")


@pytest.mark.parametrize(
    ("close", "due"),
    [
        (datetime.date(2023, 12, 31), datetime.date(2024, 6, 30)),
        (datetime.date(2024, 6, 30), datetime.date(2024, 12, 31)),
        (datetime.date(2024, 8, 31), datetime.date(2025, 2, 28)),
        (datetime.date(2023, 9, 15), datetime.date(2024, 3, 15)),
    ],
)
def test_justificatifs_are_due_six_months_after_the_close(close, due):
    assert rules.justificatifs_due_date(close) == due


def test_amounts_in_french_words():
    assert amount_in_words(Decimal("66000")) == "soixante-six mille euros"
    assert amount_in_words(Decimal("62500.50")) == (
        "soixante-deux mille cinq cents euros et cinquante centimes"
    )
    assert amount_in_words(Decimal("1000000")) == "un million d'euros"
    assert amount_in_words(Decimal("1")) == "un euro"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("66.000 €", Decimal("66000")),
        ("66 000,00 €", Decimal("66000.00")),
        ("1.163.530 €", Decimal("1163530")),
        ("1.163.53€", None),
        ("", None),
    ],
)
def test_typed_amounts_are_read_as_people_type_them(text, value):
    assert parse_typed_amount(text) == value
