"""Forms of the small-grant pages; the services check the rules."""

from django import forms
from django.utils import timezone

from grants.fields import AmountField, DateInput
from grants.smallgrants.models import LetterKind


class LetterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Acte",
        choices=LetterKind.choices,
        initial=LetterKind.NOTIFICATION,
        help_text="L'arrêté attributif, quand l'assemblée a délégué l'attribution au président.",
    )
    date = forms.DateField(label="Date de la lettre", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class SinglePaymentForm(forms.Form):
    amount = AmountField(
        label="Montant du versement (€)",
        help_text="Au plus le montant de la subvention ; en principe la subvention entière.",
    )
    signer_name = forms.CharField(label="Nom et qualité du signataire", max_length=150)
    certified = forms.BooleanField(
        required=True,
        error_messages={"required": "Cochez la certification pour envoyer la demande."},
    )

    def __init__(self, *args, certification_text, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certified"].label = certification_text

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None or amount <= 0:
            raise forms.ValidationError("Indiquez un montant positif.")
        return amount


class FinancialReportForm(forms.Form):
    file = forms.FileField(
        label="Compte rendu financier (PDF)",
        help_text="Le Cerfa n° 15059 rempli et signé, en PDF.",
    )
