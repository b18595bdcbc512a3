from django import forms

from associations.models import CONTACT_FIELDS, Association, GovernanceChange
from grants.fields import DateInput
from grants.validators import normalize_identifier, with_plausible_dates


class IdentifierField(forms.CharField):
    """SIREN, SIRET, RNA typed with spaces or dots, in any case: normalised before validation."""

    def to_python(self, value):
        return normalize_identifier(super().to_python(value))

    def widget_attrs(self, widget):
        # The length is checked once spaces are removed: let the browser accept them.
        attrs = super().widget_attrs(widget)
        if self.max_length:
            attrs["maxlength"] = str(self.max_length * 2)
        attrs["autocomplete"] = "off"
        return attrs


class AssociationForm(forms.ModelForm):
    class Meta:
        model = Association
        fields = [
            "name",
            "acronym",
            "siren",
            "siret",
            "rna",
            "structure_type",
            "domains",
            "purpose",
            "representative_civility",
            "representative_name",
            "representative_title",
            "fiscal_year_end_day",
            "fiscal_year_end_month",
            *CONTACT_FIELDS,
        ]
        widgets = {
            "domains": forms.CheckboxSelectMultiple,
            "purpose": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"siren": IdentifierField, "siret": IdentifierField, "rna": IdentifierField}
        help_texts = {
            "siren": "9 chiffres, espaces acceptés.",
            "siret": "14 chiffres : le SIREN suivi du NIC de l'établissement.",
            "rna": "W suivi de 9 chiffres.",
        }

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authority is not None:
            self.instance.authority = authority

    def _get_validation_exclusions(self):
        # The authority is set by the view, not typed: keep the per-authority unique checks.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("authority")
        return exclusions


class ContactForm(forms.ModelForm):
    """What an association manager may change on their association."""

    class Meta:
        model = Association
        fields = CONTACT_FIELDS


@with_plausible_dates
class GovernanceChangeForm(forms.ModelForm):
    class Meta:
        model = GovernanceChange
        fields = [
            "kind",
            "effective_date",
            "summary",
            "new_representative_civility",
            "new_representative_name",
            "new_representative_title",
        ]
        widgets = {
            "effective_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == GovernanceChange.Kind.REPRESENTATIVE and not cleaned.get(
            "new_representative_name"
        ):
            self.add_error(
                "new_representative_name",
                "Indiquez le nom du nouveau représentant légal.",
            )
        return cleaned
