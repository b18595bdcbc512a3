"""Forms of the budget pages: the document's header, the table of lines, the file upload."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from associations.budgets import chart
from associations.budgets.models import AssociationBudget
from grants.models import Authority
from grants.validators import with_plausible_dates

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
        raise ValueError(f"« {raw} » : montant trop élevé (au plus {_limit_text(limit)}).")
    return amount.quantize(Decimal("0.01")) + Decimal("0.00")  # '-0' → 0.00


def _limit_text(limit):
    integer, _, cents = f"{limit:.2f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    return "\u00a0".join(groups) + "," + cents + "\u00a0€"


class AmountInput(forms.TextInput):
    """A text box for French amounts (a number input would refuse '1 234,56')."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "class": "amount-input"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, Decimal):
            from grants.templatetags.fr import format_amount

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


class BudgetCreateForm(forms.ModelForm):
    class Meta:
        model = AssociationBudget
        fields = ["year", "kind", "label"]
        help_texts = {
            "kind": "Un compte rendu financier reprend les lignes du budget prévisionnel du même "
            "exercice, s'il existe, pour les comparer.",
        }

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.association = association

    def clean(self):
        cleaned = super().clean()
        year, kind = cleaned.get("year"), cleaned.get("kind")
        association = self.instance.association
        if year and kind and association.budgets.filter(year=year, kind=kind).exists():
            raise ValidationError(
                "Cette association a déjà un budget de cette nature pour cet exercice : "
                "ouvrez-le depuis la liste des budgets."
            )
        return cleaned


@with_plausible_dates
class BudgetHeaderForm(forms.ModelForm):
    """The document's own fields, totals as printed on paper included."""

    printed_total_charges = AmountField(label="Total des charges imprimé", required=False)
    printed_total_products = AmountField(label="Total des produits imprimé", required=False)
    printed_grand_total_charges = AmountField(
        label="Total général des charges imprimé", required=False
    )
    printed_grand_total_products = AmountField(
        label="Total général des produits imprimé", required=False
    )

    class Meta:
        model = AssociationBudget
        fields = [
            "label",
            "start_date",
            "end_date",
            "signed_place",
            "signed_on",
            "printed_total_charges",
            "printed_total_products",
            "printed_grand_total_charges",
            "printed_grand_total_products",
            "notes",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"label": ""}

    PRINTED = [
        "printed_total_charges",
        "printed_total_products",
        "printed_grand_total_charges",
        "printed_grand_total_products",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.PRINTED:
            self.fields[name].help_text = "Tel qu'imprimé sur le document ; vide s'il n'y en a pas."

    def printed_fields(self):
        return [self[name] for name in self.PRINTED]

    def document_fields(self):
        return [self[name] for name in self.Meta.fields if name not in self.PRINTED]


class BudgetLineForm(forms.Form):
    """One row of the table; `group` is the chapter the row is shown under."""

    group = forms.CharField(widget=forms.HiddenInput)
    account = forms.CharField(label="Compte", max_length=chart.MAX_ACCOUNT_LENGTH)
    label = forms.CharField(label="Libellé", max_length=255, required=False)
    amount = AmountField(label="Montant", required=False)
    is_public = forms.BooleanField(label="Financement public", required=False)
    authority = forms.ModelChoiceField(
        label="Collectivité", queryset=Authority.objects.all(), required=False
    )

    def __init__(self, *args, authority_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authority_choices is not None:
            self.fields["authority"].choices = authority_choices
        self.fields["account"].widget.attrs.update(
            {"class": "account-input", "inputmode": "numeric", "list": "budget-accounts"}
        )
        self.fields["label"].widget.attrs.update({"class": "label-input"})

    def has_changed(self):
        """A row added in the page but left without label nor amount is ignored."""
        if self.initial:
            return super().has_changed()
        return any(self[name].value() not in (None, "") for name in ("label", "amount"))

    def clean_account(self):
        account = self.cleaned_data["account"].strip()
        if chart.chapter_of(account) is None:
            raise ValidationError(f"Compte inconnu : {chart.ALLOWED_CHAPTERS_TEXT}.")
        if len(account) == 2 and not self.initial:
            raise ValidationError(
                "Précisez le compte de la sous-ligne (au moins 3 chiffres, ex. 7402 pour une "
                "Région, 651 sous le chapitre 65)."
            )
        return account

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account")
        if account and not cleaned.get("label") and not chart.default_label(account):
            self.add_error("label", "Indiquez le libellé de la ligne.")
        if cleaned.get("amount") is None:
            cleaned["amount"] = Decimal("0.00")
        return cleaned


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = {}
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            account, label = form.cleaned_data.get("account"), form.cleaned_data.get("label")
            if not account:
                continue
            key = (account, "" if len(account) == 2 else " ".join(label.split()).casefold())
            if key in seen:
                form.add_error(
                    "label",
                    f"Une autre ligne porte déjà le compte {account} et ce libellé.",
                )
            seen[key] = form


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetLineFormSet, extra=0, can_delete=True
)


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label="Classeur XLSX",
        help_text="Le modèle téléchargeable, rempli : colonnes Compte, Libellé, Montant "
        "prévisionnel (et Montant réalisé pour un compte rendu financier). 2 Mo au plus.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )
