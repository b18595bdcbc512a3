"""Forms of the budget pages: the document's header, the table of lines, the file upload."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from associations.budgets import chart
from associations.budgets.models import AssociationBudget
from grants.fields import AmountField, DateInput
from grants.models import Authority
from grants.validators import with_plausible_dates


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
        # A project budget belongs to a subsidy request: it is made by the request's budgets
        # step (grants/requests/filing.py), never on its own.
        self.fields["kind"].choices = [
            choice
            for choice in self.fields["kind"].choices
            if choice[0] != AssociationBudget.Kind.PROJECT
        ]

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
            "start_date": DateInput(),
            "end_date": DateInput(),
            "signed_on": DateInput(),
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
