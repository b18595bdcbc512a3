"""The form fields every app shares: French amounts and dates.

- `parse_amount` / `AmountField`: "1 234,56", "1234.56", "1.234,56" or "66 000 €" → Decimal, with
  a French message for anything else (the one parser of the project).
- `DateInput`: the browser's date picker, with the ISO value it expects; shown to users as
  13/06/2024 by the browser's French locale.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from grants.templatetags.fr import format_amount

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DOTTED_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
SPACES = str.maketrans("", "", " \u00a0\u202f\t")
EXAMPLE = "tapez par exemple 1 234,56 ou 1234.56"


def parse_amount(text):
    """'1 234,56', '1234.56', '1.234,56' or '66 000 €' → Decimal; '' → None.

    Raises ValueError with a French message for anything else, including more than two
    decimals ('1.234' is refused rather than guessed).
    """
    if text is None:
        return None
    raw = str(text).strip()
    value = raw.replace("€", "").translate(SPACES)
    if not value:
        return None
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in value:
        if value.count(",") > 1:
            raise ValueError(f"« {raw} » n'est pas un montant : {EXAMPLE}.")
        value = value.replace(",", ".")
    elif value.count(".") > 1 and DOTTED_THOUSANDS.match(value):
        value = value.replace(".", "")
    if not NUMBER.match(value):
        raise ValueError(f"« {raw} » n'est pas un montant : {EXAMPLE}.")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"« {raw} » n'est pas un montant : {EXAMPLE}.") from None
    if amount.as_tuple().exponent < -2:
        raise ValueError(f"« {raw} » : au plus deux décimales (les centimes).")
    return amount.quantize(Decimal("0.01"))


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
