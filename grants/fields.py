"""The form fields every app shares: French amounts and dates.

- `parse_amount` / `AmountField`: "1 234,56", "1234.56", "1.234,56" or "66 000 €" → Decimal, with
  a French message for anything else (the one parser of the project).
- `DateInput`: the browser's date picker, with the ISO value it expects; shown to users as
  13/06/2024 by the browser's French locale.
- `SmallTableChoiceFilter`: a list filter's <select> among a small table, in one plain query.
"""

import re
from decimal import Decimal

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError

from grants.templatetags.fr import euros, format_amount

NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
DOTTED_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})+$")
GROUPED = {  # the integer part of '1.234.567,89' / '1,234,567.89': groups of three digits
    ".": re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3})*$"),
    ",": re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})*$"),
}
SPACES = str.maketrans("", "", " \u00a0\u202f\t")
EXAMPLE = "tapez par exemple 1 234,56 ou 1234.56"
# The smallest money column of the database holds 12 digits, 2 of them after the mark.
AMOUNT_LIMIT = Decimal("9999999999.99")
MAX_TEXT_LENGTH = 40


def parse_amount(text, *, limit=AMOUNT_LIMIT):
    """'1 234,56', '1234.56', '1.234,56' or '66 000 €' → Decimal; '' → None.

    Raises ValueError with a French message for anything else: more than two decimals ('1.234'
    is refused rather than guessed), misplaced separators ('12,5,3', '12,5.3'), exponents,
    NaN and infinities, and amounts above `limit` (a Decimal) in absolute value.
    """
    if text is None:
        return None
    raw = str(text).strip()
    not_an_amount = f"« {raw[:MAX_TEXT_LENGTH]} » n'est pas un montant : {EXAMPLE}."
    value = raw.replace("€", "").translate(SPACES)
    if not value:
        return None
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(not_an_amount)
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        integer, _, decimals = value.rpartition(decimal_mark)
        if not GROUPED[thousands].match(integer):
            raise ValueError(not_an_amount)
        value = integer.replace(thousands, "") + "." + decimals
    elif "," in value:
        if value.count(",") > 1:
            raise ValueError(not_an_amount)
        value = value.replace(",", ".")
    elif value.count(".") > 1 and DOTTED_THOUSANDS.match(value):
        value = value.replace(".", "")
    if not NUMBER.match(value):
        raise ValueError(not_an_amount)
    amount = Decimal(value)
    if amount.as_tuple().exponent < -2:
        raise ValueError(f"« {raw} » : au plus deux décimales (les centimes).")
    if abs(amount) > limit:
        raise ValueError(f"« {raw} » : montant trop élevé (au plus {euros(limit)}).")
    return amount.quantize(Decimal("0.01")) + Decimal("0.00")  # '-0' → 0.00


class AmountInput(forms.TextInput):
    """A text box for French amounts (a number input would refuse '1 234,56')."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "class": "amount-input"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, Decimal):
            return format_amount(value)
        return str(value)


class AmountField(forms.Field):
    widget = AmountInput
    default_error_messages = {"negative": "Un montant ne peut pas être négatif."}

    def __init__(self, *, allow_negative=False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            amount = parse_amount(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
        if amount is not None and amount < 0 and not self.allow_negative:
            raise ValidationError(self.error_messages["negative"], code="negative")
        return amount


class DateInput(forms.DateInput):
    """A date picker (<input type="date">) whose value is ISO, as browsers require."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(attrs=attrs, **kwargs)


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a small table (bodies, structure types, domains, authorities) read by one
    plain query. Django's iterator() opens a server-side cursor on PostgreSQL for them (DECLARE
    … WITH HOLD, FETCH, CLOSE: three round trips and a materialised result, 2 ms a <select> on a
    list page); the tables that can be big are chosen through a search field instead."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _ListedFilterChoiceIterator(
    django_filters.fields.ModelChoiceIterator, ListedModelChoiceIterator
):
    """django-filter's iterator (its « null » choice) over the listed choices."""


class SmallTableChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ListedFilterChoiceIterator


class SmallTableChoiceFilter(django_filters.ModelChoiceFilter):
    """A list filter choosing among a small table, rendered as a <select>."""

    field_class = SmallTableChoiceField
