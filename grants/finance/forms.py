"""Forms of the finance pages. They collect input; the services check the money rules."""

from django import forms
from django.utils import timezone

from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import AmountField, DateInput
from grants.finance.models import CERTIFICATION_TEXT, BudgetLine, Commitment
from grants.models import Authority
from grants.templatetags.fr import euros
from grants.validators import with_plausible_dates


class BudgetLineForm(forms.ModelForm):
    voted_credits = AmountField(label="Crédits votés (€)", help_text="Ex. 450 000,00.")

    class Meta:
        model = BudgetLine
        fields = [
            "year",
            "budget",
            "section",
            "chapter",
            "nature",
            "service_codes",
            "label",
            "voted_credits",
        ]

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authority is not None:
            self.instance.authority = authority
        if not self.instance.pk and not self.initial.get("year"):
            self.initial["year"] = timezone.localdate().year

    def clean_service_codes(self):
        return self.cleaned_data["service_codes"].strip().upper().replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        authority_id = cleaned.get("authority").pk if cleaned.get("authority") else None
        authority_id = authority_id or self.instance.authority_id
        keys = ["year", "budget", "section", "service_codes", "nature"]
        if authority_id and all(cleaned.get(k) for k in keys):
            duplicate = BudgetLine.objects.filter(
                authority_id=authority_id, **{k: cleaned[k] for k in keys}
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise forms.ValidationError(
                    "Cette imputation existe déjà pour cet exercice et ce budget."
                )
        return cleaned


class PlatformBudgetLineForm(BudgetLineForm):
    """A platform administrator also chooses the authority."""

    authority = forms.ModelChoiceField(label="Collectivité", queryset=Authority.objects.all())

    class Meta(BudgetLineForm.Meta):
        fields = ["authority", *BudgetLineForm.Meta.fields]


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line):
        return f"{line.imputation} — {line.label} — disponible {euros(line.available)}"


@with_plausible_dates
class CommitmentForm(forms.Form):
    budget_line = BudgetLineChoiceField(
        label="Ligne budgétaire",
        queryset=BudgetLine.objects.none(),
        empty_label=None,
        help_text="Tapez l'imputation ou le libellé, puis choisissez la ligne.",
    )
    number = forms.CharField(label="Numéro d'engagement", max_length=30)
    date = forms.DateField(label="Date d'engagement", widget=DateInput())

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        lines = (
            BudgetLine.objects.filter(authority_id=grant.authority_id, year=grant.year)
            .with_consumption()
            .order_by("service_codes", "nature")
        )
        self.fields["budget_line"].queryset = lines
        self.fields["budget_line"].widget = AutocompleteWidget(
            "autocomplete_budget_lines", fixed={"year": grant.year}
        )
        self.fields["budget_line"].widget.choices = self.fields["budget_line"].choices
        self.fields["date"].initial = timezone.localdate()
        # The deliberation's imputation (e.g. INUM/SUFLI/65748) selects its line by default.
        codes, _, nature = (grant.budget_imputation or "").rpartition("/")
        if codes and nature:
            match = lines.filter(service_codes=codes, nature=nature).values_list("pk", flat=True)
            self.fields["budget_line"].initial = next(iter(match), None)


class CertificationFields(forms.Form):
    # Asked only for a multi-year convention (CPO): the advance and the balance are per year.
    year = forms.TypedChoiceField(label="Exercice", coerce=int, choices=())
    signer_name = forms.CharField(
        label="Nom et qualité du signataire",
        max_length=150,
        help_text="Le représentant légal de l'association ou la personne qu'il a habilitée.",
    )
    certified = forms.BooleanField(
        label=CERTIFICATION_TEXT,
        required=True,
        error_messages={"required": "Cochez la certification pour envoyer la demande (art. 4.3)."},
    )

    def __init__(self, *args, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        if years and len(years) > 1:
            self.fields["year"].choices = [(year, str(year)) for year in years]
            self.fields[
                "year"
            ].help_text = (
                "L'exercice de la convention pluriannuelle pour lequel le versement est demandé."
            )
        else:
            del self.fields["year"]


class AdvanceRequestForm(CertificationFields):
    amount = AmountField(label="Montant de l'acompte demandé (€)")
    field_order = ["year", "amount", "signer_name", "certified"]

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None or amount <= 0:
            raise forms.ValidationError("Indiquez un montant positif.")
        return amount


class BalanceRequestForm(CertificationFields):
    realised_expenses = AmountField(
        label="Total des dépenses réalisées de l'exercice (€)",
        help_text=(
            "Total des charges du compte rendu financier (comptes 60 à 69), hors contributions "
            "volontaires en nature."
        ),
    )
    field_order = ["year", "realised_expenses", "signer_name", "certified"]

    def __init__(self, *args, needs_realised=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_realised:
            del self.fields["realised_expenses"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Motif du rejet",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est affiché à l'association, qui pourra présenter une nouvelle demande.",
    )


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, commitment):
        return (
            f"n° {commitment.number} du {commitment.date:%d/%m/%Y} — "
            f"{commitment.budget_line.imputation} — {euros(commitment.amount)}"
        )


@with_plausible_dates
class OrderForm(forms.Form):
    number = forms.CharField(label="Numéro du mandat", max_length=30)
    date = forms.DateField(label="Date du mandat", widget=DateInput())
    commitment = CommitmentChoiceField(
        label="Engagement", queryset=Commitment.objects.none(), empty_label=None
    )

    def __init__(self, *args, payment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if payment.convention_id:
            commitments = Commitment.objects.filter(grant__conventions=payment.convention_id)
        else:
            commitments = Commitment.objects.filter(grant=payment.grant_id)
        self.fields["commitment"].queryset = commitments.select_related("budget_line")


@with_plausible_dates
class PaidForm(forms.Form):
    date = forms.DateField(label="Date de paiement", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


@with_plausible_dates
class ClawbackForm(forms.Form):
    realised_expenses = AmountField(
        label="Dépenses réalisées justifiées (€)",
        required=False,
        help_text=(
            "À indiquer si le compte rendu financier n'est pas saisi dans l'application : total "
            "des charges réalisées, hors contributions volontaires."
        ),
    )
    amount = AmountField(label="Montant à reverser (€)")
    reason = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="Dépenses réalisées inférieures au budget prévisionnel : subvention recalculée "
        "au prorata (art. 4.2).",
    )
    title_number = forms.CharField(label="Numéro du titre de recettes", max_length=30)
    title_date = forms.DateField(label="Date du titre de recettes", widget=DateInput())

    def __init__(self, *args, needs_realised=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_date"].initial = timezone.localdate()
        if not needs_realised:
            del self.fields["realised_expenses"]
