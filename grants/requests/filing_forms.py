"""Forms of the association's filing of a subsidy request.

Filing (the association's steps, Cerfa 12156*06): one ModelForm per step; a field that fails
validation is kept as typed in `draft_data` by grants/requests/filing.py, never dropped.
"""

from django import forms

from grants.fields import AmountField, DateInput
from grants.requests.models import SubsidyRequest
from grants.templatetags.fr import number_fr

# ---- filing: the steps of the association's request ------------------------------------------

# The contrat d'engagement républicain (décret 2021-1947 du 31 décembre 2021), shown whole with
# the box the association ticks.
CER_TEXT = [
    "Respecter les lois de la République : ne pas entreprendre ni inciter à une action "
    "manifestement contraire à la loi, violente ou susceptible d'entraîner des troubles graves "
    "à l'ordre public.",
    "Liberté de conscience : respecter et protéger la liberté de conscience de ses membres et des "
    "tiers, et s'abstenir de tout acte de prosélytisme abusif.",
    "Liberté des membres de l'association : respecter la liberté de ses membres de s'en retirer "
    "et leur droit de ne pas en être arbitrairement exclus.",
    "Égalité et non-discrimination : respecter l'égalité de tous devant la loi, ne pas opérer de "
    "différences de traitement fondées sur le sexe, l'orientation sexuelle, l'identité de genre, "
    "l'appartenance réelle ou supposée à une ethnie, une nation, une prétendue race ou une "
    "religion déterminée.",
    "Fraternité et prévention de la violence : agir dans un esprit de fraternité et de civisme, "
    "ne pas provoquer à la haine ou à la violence envers quiconque.",
    "Respect de la dignité de la personne humaine : n'entreprendre, ne soutenir ni cautionner "
    "aucune action portant atteinte à la dignité de la personne humaine.",
    "Respect des symboles de la République : respecter le drapeau tricolore, l'hymne national et "
    "la devise de la République.",
]
CER_LABEL = (
    "L'association souscrit le contrat d'engagement républicain ci-dessus (loi n° 2000-321 "
    "du 12 avril 2000, art. 10-1) et s'engage à en informer ses membres."
)


class StepForm(forms.ModelForm):
    """A step of the request. `fields` are the model fields it writes."""

    def __init__(self, *args, subsidy_request=None, **kwargs):
        super().__init__(*args, instance=subsidy_request, **kwargs)
        for field in self.fields.values():
            field.required = False  # what is still missing is listed before the deposit
            if isinstance(field.widget, forms.NumberInput):
                # A text box keeps « douze » as typed (a number box would empty it), so the
                # error shows next to what the person wrote.
                field.widget.input_type = "text"
                field.widget.attrs["inputmode"] = (
                    "decimal" if isinstance(field, forms.DecimalField) else "numeric"
                )


class IdentificationForm(StepForm):
    class Meta:
        model = SubsidyRequest
        fields = [
            "representative_name",
            "representative_title",
            "representative_email",
            "representative_phone",
            "contact_name",
            "contact_function",
            "contact_email",
            "contact_phone",
        ]
        error_messages = {
            "representative_email": {"invalid": "Saisissez une adresse électronique valide."},
            "contact_email": {"invalid": "Saisissez une adresse électronique valide."},
        }


class RelationsForm(StepForm):
    class Meta:
        model = SubsidyRequest
        fields = [
            "approvals",
            "public_utility",
            "public_utility_date",
            "network",
            "vat_liable",
            "corporate_tax_liable",
            "has_auditor",
        ]
        widgets = {"public_utility_date": DateInput, "approvals": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"public_utility_date": {"invalid": "Saisissez une date valide."}}

    def clean(self):
        data = super().clean()
        if data.get("public_utility_date") and not data.get("public_utility"):
            self.add_error(
                "public_utility_date",
                "Une date de reconnaissance n'a de sens que si l'association est reconnue "
                "d'utilité publique : cochez la case ou videz la date.",
            )
        return data


COUNT_ERROR = {"invalid": "Saisissez un nombre entier.", "min_value": "Ce nombre ne peut être "
               "négatif."}  # fmt: skip


class HumanResourcesForm(StepForm):
    top_salaries_total = AmountField(
        label="Montant total des trois plus hauts salaires annuels bruts", required=False
    )

    class Meta:
        model = SubsidyRequest
        fields = [
            "members_count",
            "volunteers_count",
            "civic_volunteers_count",
            "employees_count",
            "employees_fte",
            "seconded_staff_count",
            "top_salaries_total",
        ]
        error_messages = {
            name: COUNT_ERROR
            for name in (
                "members_count",
                "volunteers_count",
                "civic_volunteers_count",
                "employees_count",
                "seconded_staff_count",
            )
        } | {
            "employees_fte": {
                "invalid": "Saisissez un nombre, par exemple 2,5.",
                "max_digits": "Ce nombre est trop grand.",
                "max_decimal_places": "Deux décimales au plus.",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees_fte"].localize = True
        self.fields["employees_fte"].widget.is_localized = True

    def clean(self):
        data = super().clean()
        fte, employees = data.get("employees_fte"), data.get("employees_count")
        if fte is not None and fte < 0:
            self.add_error("employees_fte", "Ce nombre ne peut être négatif.")
        elif fte is not None and employees is not None and fte > employees:
            self.add_error(
                "employees_fte",
                f"{number_fr(fte, 2).rstrip('0').rstrip(',')} ETPT pour {employees} salarié(s) : "
                "un salarié compte au plus pour 1 ETPT.",
            )
        return data


class DescriptionForm(StepForm):
    class Meta:
        model = SubsidyRequest
        fields = [
            "title",
            "objectives",
            "description",
            "target_public",
            "location",
            "start_date",
            "end_date",
            "means",
            "evaluation",
        ]
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ("objectives", "description", "target_public", "means", "evaluation")
            },
        }
        error_messages = {
            "start_date": {"invalid": "Saisissez une date valide."},
            "end_date": {"invalid": "Saisissez une date valide."},
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                f"La fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y}).",
            )
        return data


class AmountForm(StepForm):
    amount_requested = AmountField(label="Montant demandé", required=False)
    cer_accepted = forms.BooleanField(label=CER_LABEL, required=False)

    class Meta:
        model = SubsidyRequest
        fields = [
            "amount_requested",
            "attest_accurate",
            "attest_obligations",
            "attest_de_minimis",
            "signatory_name",
            "signatory_title",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("cer_accepted", bool(self.instance.draft_data.get("cer_accepted")))

    def clean_amount_requested(self):
        amount = self.cleaned_data.get("amount_requested")
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Le montant demandé doit être supérieur à zéro.")
        if amount is None and self.instance.status != "brouillon":
            raise forms.ValidationError("Le montant demandé ne peut être vidé : indiquez-le.")
        return amount


class NoFieldsForm(StepForm):
    """Steps that only show (budgets, pieces, summary)."""

    class Meta:
        model = SubsidyRequest
        fields = []
