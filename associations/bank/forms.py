from django import forms


class BankDetailsForm(forms.Form):
    """IBAN, BIC and the RIB: checked by the service (python-stdnum, the upload's content)."""

    holder = forms.CharField(
        label="Titulaire du compte",
        max_length=200,
        help_text="Tel qu'il figure sur le RIB.",
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=50,
        help_text="Ex. FR76 3000 6000 0112 3456 7890 189 (les espaces sont acceptés).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label="BIC",
        max_length=20,
        help_text="8 ou 11 caractères, ex. AGRIFRPP.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    rib = forms.FileField(
        label="RIB",
        help_text="Le relevé d'identité bancaire, en PDF ou en image (PNG, JPEG).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est affiché à l'association, qui pourra déclarer de nouvelles coordonnées.",
    )
