"""The money rules of payments and budget lines, at the cent edges (seed SCS art. 4.2, 4.3)."""

import datetime
from decimal import Decimal

import pytest

from grants import rules

D = Decimal


def test_advance_cap_is_80_percent_of_66000():
    assert rules.advance_cap(D("66000.00"), D("80.00")) == D("52800.00")


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [("52800.00", True), ("52800.01", False), ("0.01", True), ("0.00", False)],
)
def test_advance_above_80_percent_is_refused_at_the_cent(amount, allowed):
    assert rules.advance_within_cap(D(amount), D("66000.00"), D("80.00")) is allowed


def test_advance_cap_rounds_down_so_the_percentage_is_never_exceeded():
    # 80 % of 1 000,01 € is 800,008 €: the cap is 800,00 €, not 800,01 €.
    assert rules.advance_cap(D("1000.01"), D("80")) == D("800.00")


def test_advance_cap_counts_what_was_already_advanced():
    assert rules.advance_within_cap(D("2800.00"), D("66000"), D("80"), D("50000.00"))
    assert not rules.advance_within_cap(D("2800.01"), D("66000"), D("80"), D("50000.00"))


@pytest.mark.parametrize(
    ("realised", "due"),
    [
        ("800000.00", "55373.19"),  # 66 000 × 800 000 / 953 530 = 55 373,192…
        ("953530.00", "66000.00"),  # exactly as forecast
        ("953529.99", "66000.00"),  # one cent less: 65 999,9993… rounds half up to the cent
        ("953515.00", "65998.96"),  # 65 998,9617… → 65 998,96
        ("1200000.00", "66000.00"),  # higher expenses: never increased (art. 4.2)
        ("476765.00", "33000.00"),  # half the expenses, half the grant
        ("0.00", "0.00"),
    ],
)
def test_amount_due_is_pro_rata_of_the_realised_expenses_never_more_than_voted(realised, due):
    assert rules.amount_due(D("66000.00"), D("953530.00"), D(realised)) == D(due)


def test_amount_due_needs_positive_forecast_expenses():
    with pytest.raises(ValueError):
        rules.amount_due(D("66000"), D("0"), D("1000"))


def test_remaining_payable_never_negative():
    assert rules.remaining_payable(D("55373.19"), D("52800.00")) == D("2573.19")
    assert rules.remaining_payable(D("40000.00"), D("52800.00")) == D("0.00")


def test_clawback_is_the_excess_paid_over_due_less_what_was_claimed():
    assert rules.clawback_due(D("40000.00"), D("52800.00")) == D("12800.00")
    assert rules.clawback_due(D("40000.00"), D("52800.00"), D("12800.00")) == D("0.00")
    assert rules.clawback_due(D("55373.19"), D("52800.00")) == D("0.00")


def test_commitment_fits_the_available_credits_to_the_cent():
    assert rules.available_credits(D("100000.00"), D("37500.00")) == D("62500.00")
    assert rules.commitment_fits(D("62500.00"), D("100000.00"), D("37500.00"))
    assert not rules.commitment_fits(D("62500.01"), D("100000.00"), D("37500.00"))


def test_payment_order_is_overdue_after_30_days():
    certified = datetime.date(2024, 3, 1)
    assert not rules.payment_order_overdue(certified, datetime.date(2024, 3, 31))
    assert rules.payment_order_overdue(certified, datetime.date(2024, 4, 1))
