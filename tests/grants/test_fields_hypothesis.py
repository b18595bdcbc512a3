"""Property-based tests (hypothesis) of the amount parser and of the money rules.

The parser takes any text a user may type: it returns the amount at the cent, or refuses with a
French ValueError (a ValidationError in the form field), never anything else. The money rules
(grants/rules.py) keep their promises for every amount, at the cent.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from associations.budgets.imports import _cell_amount
from grants import rules
from grants.fields import AMOUNT_LIMIT, AmountField, parse_amount
from grants.templatetags.fr import euros, format_amount

CENT = Decimal("0.01")
amounts = st.decimals(min_value=0, max_value=AMOUNT_LIMIT, places=2, allow_nan=False)
signed_amounts = st.decimals(
    min_value=-AMOUNT_LIMIT, max_value=AMOUNT_LIMIT, places=2, allow_nan=False
)
percentages = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
positive = st.decimals(min_value=CENT, max_value=AMOUNT_LIMIT, places=2, allow_nan=False)


# ---- the parser ------------------------------------------------------------------------------


@given(signed_amounts)
def test_every_amount_written_the_french_way_reads_back_to_itself(amount):
    assert parse_amount(euros(amount)) == amount  # '66 000,00 €' (non-breaking spaces)
    assert parse_amount(format_amount(amount)) == amount  # '66 000,00'
    assert parse_amount(format_amount(amount).replace("\u00a0", " ")) == amount
    assert parse_amount(f"{amount:.2f}") == amount  # '66000.00'
    assert parse_amount(f"{amount:.2f}".replace(".", ",")) == amount  # '66000,00'
    assert parse_amount(f"{amount:,.2f}") == amount  # '66,000.00' (English grouping)


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_whole_euros_read_back(units):
    assert parse_amount(str(units)) == Decimal(units)
    assert parse_amount(f"{units:,}".replace(",", " ")) == Decimal(units)
    if units >= 1_000_000:  # '1.234.567' can only be dotted thousands
        assert parse_amount(f"{units:,}".replace(",", ".")) == Decimal(units)


@given(st.text(max_size=60))
@example("NaN")
@example("-inf")
@example("1e309")
@example("1E5")
@example("12,5,3")
@example("12,5.3")
@example("1" * 400)
@example("10" + "0" * 15)
@example("0x1F")
@example("١٢٣")
@example("1_000")
@example("--1")
def test_any_text_is_an_amount_at_the_cent_or_a_french_refusal(text):
    try:
        amount = parse_amount(text)
    except ValueError as error:
        message = str(error)
        assert (
            "n'est pas un montant" in message or "décimales" in message or "trop élevé" in (message)
        )
        return
    if amount is None:
        assert not text.replace("€", "").strip(" \u00a0\u202f\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")
        return
    assert amount.is_finite()
    assert amount == amount.quantize(CENT)
    assert abs(amount) <= AMOUNT_LIMIT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NaN", "n'est pas un montant"),
        ("inf", "n'est pas un montant"),
        ("1e309", "n'est pas un montant"),
        ("12,5,3", "n'est pas un montant"),
        ("12,5.3", "n'est pas un montant"),
        ("1 000 000 000 000 000", "montant trop élevé (au plus 9\u00a0999\u00a0999\u00a0999,99"),
        ("12,345", "au plus deux décimales"),
    ],
)
def test_the_refusals_say_why_in_french(text, message):
    with pytest.raises(ValueError) as error:
        parse_amount(text)
    assert message in str(error.value)


@given(st.one_of(st.text(max_size=40), st.none()))
@example("-12,50")
@example("1" * 400)
@example("1e309")
@example("-0")
def test_the_form_field_only_ever_raises_a_validation_error(text):
    field = AmountField(required=False)
    try:
        amount = field.clean(text)
    except ValidationError as error:
        assert error.messages and all(error.messages)
        return
    assert amount is None or (Decimal(0) <= amount <= AMOUNT_LIMIT)


def test_the_form_field_refuses_negative_amounts_in_french():
    with pytest.raises(ValidationError, match="Un montant ne peut pas être négatif."):
        AmountField().clean("-12,50")
    assert AmountField().clean("-0") == Decimal("0.00")


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.booleans(),
        st.datetimes(),
        st.dates(),
        st.text(max_size=30),
    )
)
def test_a_spreadsheet_cell_is_an_amount_or_a_french_refusal(value):
    try:
        amount = _cell_amount(value)
    except ValueError as error:
        assert str(error)
        return
    assert amount is None or (amount.is_finite() and amount == amount.quantize(CENT))


# ---- the money rules -------------------------------------------------------------------------


@given(amounts, percentages)
def test_the_advance_cap_never_exceeds_the_percentage_of_the_grant(voted, percentage):
    cap = rules.advance_cap(voted, percentage)
    exact = voted * percentage / 100
    assert cap == cap.quantize(CENT)
    assert cap <= exact < cap + CENT
    assert Decimal(0) <= cap <= voted


@given(amounts, percentages, amounts)
def test_an_advance_within_the_cap_keeps_the_total_under_it(voted, percentage, already):
    cap = rules.advance_cap(voted, percentage)
    for amount in (CENT, cap - already, cap - already + CENT):
        if rules.advance_within_cap(amount, voted, percentage, already):
            assert amount > 0 and already + amount <= cap


@given(amounts, positive, amounts)
@settings(max_examples=300)
def test_the_pro_rata_never_increases_the_grant(voted, forecast, realised):
    due = rules.amount_due(voted, forecast, realised)
    assert due == due.quantize(CENT)
    assert Decimal(0) <= due <= voted
    if realised >= forecast:
        assert due == voted
    else:
        # At the cent of voted × realised / forecast.
        assert abs(due - voted * realised / forecast) <= CENT / 2


@given(amounts, positive)
def test_the_pro_rata_follows_the_expenses(voted, forecast):
    lower = rules.amount_due(voted, forecast, forecast / 3)
    higher = rules.amount_due(voted, forecast, forecast / 2)
    assert lower <= higher <= voted


@given(amounts, amounts, amounts)
def test_the_clawback_is_what_was_paid_over_the_amount_due(due, paid, clawed_back):
    clawback = rules.clawback_due(due, paid, clawed_back)
    assert clawback == max(Decimal("0.00"), paid - clawed_back - due)
    assert clawback == clawback.quantize(CENT)
    if paid <= due:
        assert clawback == 0
    # Once claimed back, nothing more is due.
    assert rules.clawback_due(due, paid, clawed_back + clawback) == 0


@given(amounts, amounts)
def test_what_remains_payable_is_never_negative(due, requested):
    remaining = rules.remaining_payable(due, requested)
    assert remaining >= 0
    assert remaining == max(Decimal(0), due - requested)
