from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from associations.models import Association, AssociationBudget
from conventions.models import (
    Convention,
    ConventionTemplate,
    IndicatorToReport,
    NonFinancialContribution,
    PreviousIndicator,
    ProgrammeEvent,
    parse_date_text,
)
from conventions.multiyear import check_grants, period_years
from conventions.numbering import propose_number
from deliberations.models import Deliberation
from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import DateInput
from grants.models import Grant
from grants.validators import with_plausible_dates

GENERAL_FIELDS = [
    "association",
    "template",
    "kind",
    "year",
    "end_year",
    "number",
    "grants",
    "deliberation",
    "forecast_budget",
    "start_date",
    "end_date",
    "advance_percentage",
]
TEXT_FIELDS = [
    "objectives",
    "action_categories",
    "programme_text",
    "previous_indicators_title",
    "previous_indicators_note",
    "indicators_title",
    "indicators_intro",
]
TYPED_FIELDS = [
    "typed_amount",
    "typed_eligible_cost",
    "typed_share_percentage",
    "typed_share_label",
    "association_signatory_name",
]


@with_plausible_dates
class ConventionForm(forms.ModelForm):
    """Create or edit a draft. Every choice list starts from what the user may see; clean()
    checks that the pieces belong together (same authority, same association)."""

    class Meta:
        model = Convention
        fields = GENERAL_FIELDS + TEXT_FIELDS
        widgets = {
            "association": AutocompleteWidget("autocomplete_associations"),
            "deliberation": AutocompleteWidget("autocomplete_deliberations"),
            "forecast_budget": AutocompleteWidget(
                "autocomplete_budgets", params={"association": "association"}
            ),
            "grants": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
            "end_date": DateInput(),
            "objectives": forms.Textarea(attrs={"rows": 6}),
            "action_categories": forms.Textarea(attrs={"rows": 6}),
            "programme_text": forms.Textarea(attrs={"rows": 14}),
            "indicators_title": forms.Textarea(attrs={"rows": 3}),
            "indicators_intro": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "objectives": "Markdown : une liste « - … » par objectif. Imprimé à l'article 1.",
            "action_categories": "Markdown. Imprimé à l'article 1, après les objectifs.",
            "grants": "Les subventions que la convention encadre ; son montant en est la somme.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        authority_id = None if user.is_platform_admin else user.authority_id
        associations = Association.objects.visible_to(user).order_by("name")
        grants = Grant.objects.visible_to(user).select_related("association")
        templates = ConventionTemplate.objects.filter(is_active=True).select_related("authority")
        deliberations = Deliberation.objects.all()
        budgets = AssociationBudget.objects.visible_to(user).filter(
            kind=AssociationBudget.Kind.FORECAST
        )
        if authority_id:
            templates = templates.filter(authority_id=authority_id)
            deliberations = deliberations.filter(authority_id=authority_id)
        association = self._association()
        if association is not None:
            grants = grants.filter(association=association)
            budgets = budgets.filter(association=association)
        else:
            grants = grants.none()  # the budgets' search field narrows them to the association
        self.fields["association"].queryset = associations
        self.fields["grants"].queryset = grants.order_by("-year")
        self.fields["template"].queryset = templates
        self.fields["deliberation"].queryset = deliberations.order_by("-number")
        self.fields["forecast_budget"].queryset = budgets.select_related("association")
        self.fields["advance_percentage"].required = False
        self.fields["kind"].required = False  # annual unless chosen
        self.fields["grants"].label_from_instance = lambda g: (
            f"{g.year} — {g.amount:,.2f} € — {g.object[:80]}".replace(",", "\u00a0").replace(
                ".", ",", 1
            )
        )
        if self.instance.pk:
            self.fields["association"].disabled = True
        elif not self.is_bound:
            self._propose_defaults(association, templates)

    def _propose_defaults(self, association, templates):
        """A new convention: the year, the authority's template and the next free number of
        its pattern are proposed (the user may change them)."""
        authority = association.authority if association else self.user.authority
        try:
            year = int(self.initial.get("year") or timezone.localdate().year)
        except (TypeError, ValueError):
            year = timezone.localdate().year
        self.initial["year"] = year
        if authority is None:
            return
        if not self.initial.get("template"):
            template = templates.filter(authority=authority).order_by("-version").first()
            if template is not None:
                self.initial["template"] = template.pk
        if not self.initial.get("number"):
            self.initial["number"] = propose_number(authority, year)
        if self.initial.get("advance_percentage") is None:
            self.initial["advance_percentage"] = authority.default_advance_percentage

    def _association(self):
        if self.instance.pk:
            return self.instance.association
        key = self.data.get("association") or self.initial.get("association")
        if isinstance(key, Association):
            return key
        try:
            return Association.objects.visible_to(self.user).get(pk=int(key))
        except (TypeError, ValueError, Association.DoesNotExist):
            return None

    def _clean_period(self, cleaned):
        """An annual convention covers its year, a CPO 2 to 4 years; one grant per year."""
        if cleaned.get("kind") != Convention.Kind.MULTI_YEAR:
            cleaned["kind"] = Convention.Kind.ANNUAL
            cleaned["end_year"] = cleaned.get("year")
        try:
            years = period_years(cleaned.get("kind"), cleaned.get("year"), cleaned.get("end_year"))
            check_grants(years, cleaned.get("grants") or [])
        except ValidationError as error:
            self.add_error(None, error)

    def clean(self):
        cleaned = super().clean()
        association = (
            cleaned.get("association")
            or self.instance.association_id
            and (self.instance.association)
        )
        template = cleaned.get("template")
        if not association:
            return cleaned
        authority = association.authority
        if template and template.authority_id != authority.pk:
            self.add_error("template", "Ce modèle est celui d'une autre collectivité.")
        for grant in cleaned.get("grants") or []:
            if grant.association_id != association.pk:
                self.add_error("grants", "Choisissez des subventions de cette association.")
                break
        deliberation = cleaned.get("deliberation")
        if deliberation and deliberation.authority_id != authority.pk:
            self.add_error("deliberation", "Cette délibération est d'une autre collectivité.")
        self._clean_period(cleaned)
        budget = cleaned.get("forecast_budget")
        if budget and budget.association_id != association.pk:
            self.add_error("forecast_budget", "Ce budget est celui d'une autre association.")
        if cleaned.get("advance_percentage") is None:
            cleaned["advance_percentage"] = authority.default_advance_percentage
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin de la convention précède son début.")
        number = cleaned.get("number")
        if number:
            clash = Convention.objects.filter(authority=authority, number=number).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("number", "Une convention de cette collectivité a déjà ce numéro.")
        self.instance.authority = authority
        return cleaned

    def save(self, commit=True):
        convention = super().save(commit=False)
        if convention.template_id:
            convention.template_version = convention.template.version
        if commit:
            convention.save()
            self.save_m2m()
        return convention


class PaperForm(forms.ModelForm):
    """A convention typed from a paper document: what the print says, for the consistency panel
    to compare with the computed values."""

    class Meta:
        model = Convention
        fields = TYPED_FIELDS
        help_texts = {"typed_amount": "Tel qu'imprimé, ex. « 66.000 € »."}


@with_plausible_dates
class SignatureForm(forms.Form):
    signer_name = forms.CharField(label="Nom du signataire", max_length=150)
    signed_on = forms.DateField(label="Date de signature", widget=DateInput())

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de signature ne peut pas être dans le futur.")
        return value


@with_plausible_dates
class DateForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput(), initial=timezone.localdate)


@with_plausible_dates
class TerminateForm(forms.Form):
    reason = forms.CharField(label="Motif de la résiliation", widget=forms.Textarea({"rows": 4}))
    date = forms.DateField(
        label="Date de résiliation", widget=DateInput(), initial=timezone.localdate
    )


@with_plausible_dates
class AmendmentForm(forms.Form):
    signed_at = forms.DateField(label="Date de signature de l'avenant", widget=DateInput())
    reason = forms.CharField(label="Objet de l'avenant", widget=forms.Textarea({"rows": 3}))
    amount_change = forms.DecimalField(
        label="Variation du montant (€)",
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Ex. 5000 pour une augmentation, -5000 pour une diminution ; vide : inchangé.",
    )
    new_start_date = forms.DateField(label="Nouveau début", required=False, widget=DateInput())
    new_end_date = forms.DateField(label="Nouvelle fin", required=False, widget=DateInput())
    deliberation = forms.ModelChoiceField(
        label="Délibération de l'avenant",
        queryset=Deliberation.objects.none(),
        required=False,
        widget=AutocompleteWidget("autocomplete_deliberations"),
    )

    year = forms.TypedChoiceField(label="Exercice concerné", coerce=int, choices=())

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliberation"].queryset = Deliberation.objects.filter(
            authority_id=convention.authority_id
        ).order_by("-number")
        if convention.is_multi_year:
            self.fields["year"].choices = [(y, str(y)) for y in convention.years]
            self.fields["year"].help_text = "L'exercice dont le montant voté change."
        else:
            del self.fields["year"]


class SignedCopyForm(forms.Form):
    file = forms.FileField(
        label="Exemplaire signé (PDF)", help_text="Le scan de la convention signée, 20 Mo au plus."
    )


class ProgrammeEventForm(forms.ModelForm):
    class Meta:
        model = ProgrammeEvent
        fields = ["kind", "name", "theme", "city", "country", "start", "end", "companies", "stand",
                  "comment"]  # fmt: skip
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            text = (cleaned.get(name) or "").strip()
            if text[:2].isdigit() and "/" in text and parse_date_text(text) is None:
                self.add_error(name, "Date invalide : JJ/MM/AAAA, ou un texte libre (« Q1 2023 »).")
        start, end = parse_date_text(cleaned.get("start")), parse_date_text(cleaned.get("end"))
        if start and end and end < start:
            self.add_error("end", "La fin précède le début.")
        return cleaned


ANNEXES = {
    "contributions": {
        "title": "Annexe II — contributions non financières",
        "model": NonFinancialContribution,
        "fields": ["position", "description", "valuation"],
    },
    "programme": {
        "title": "Annexe III — salons et missions",
        "model": ProgrammeEvent,
        "form": ProgrammeEventForm,
        "fields": ProgrammeEventForm.Meta.fields,
    },
    "indicateurs-precedents": {
        "title": "Annexe IV — indicateurs de la période précédente",
        "model": PreviousIndicator,
        "fields": ["group", "position", "label", "value"],
    },
    "indicateurs": {
        "title": "Annexe V — indicateurs à renseigner",
        "model": IndicatorToReport,
        "fields": ["position", "label", "is_detail"],
    },
}


def annex_formset(annex):
    spec = ANNEXES[annex]
    return forms.inlineformset_factory(
        Convention,
        spec["model"],
        form=spec.get("form", forms.ModelForm),
        fields=spec["fields"],
        extra=3,
        can_delete=True,
    )
