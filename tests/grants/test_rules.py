from decimal import Decimal

import pytest

from grants import rules


@pytest.mark.parametrize(
    ("amount", "required"),
    [("23000.00", False), ("23000.01", True), ("62500.00", True), ("0.01", False)],
)
def test_convention_is_required_strictly_above_23000(amount, required):
    assert rules.convention_required(Decimal(amount)) is required


@pytest.mark.parametrize(("subsidies", "required"), [("153000.00", False), ("153000.01", True)])
def test_auditor_is_required_strictly_above_153000(subsidies, required):
    assert rules.auditor_required(Decimal(subsidies)) is required


@pytest.mark.parametrize(
    ("grant", "budget", "required"),
    [
        ("75000.00", "1000000", False),
        ("75000.01", "1000000", True),
        ("50000.00", "100000.00", False),  # exactly 50 %
        ("50000.01", "100000.00", True),  # just above 50 %
        ("66000.00", "953530.00", False),  # the SCS seed
    ],
)
def test_president_certifies_accounts_above_75000_or_half_the_budget(grant, budget, required):
    assert rules.certified_accounts_required(Decimal(grant), Decimal(budget)) is required


def test_money_rounds_half_up_to_the_cent():
    assert rules.to_money("52800.005") == Decimal("52800.01")
    assert rules.to_money(Decimal("1.234")) == Decimal("1.23")
