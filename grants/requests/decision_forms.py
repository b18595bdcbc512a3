"""The form of « Préparer la délibération »: how the deliberation is entered, its number and
title (the selected requests are read from the checkboxes of the page)."""

from django import forms

from deliberations.forms import next_number
from deliberations.models import Body, Deliberation
from grants.fields import DateInput
from grants.requests.decisions import default_title
from grants.validators import with_plausible_dates


@with_plausible_dates
class DeliberationFromRequestsForm(forms.Form):
    kind = forms.ChoiceField(
        label="Mode de saisie",
        choices=[
            (
                Deliberation.Kind.COMPLETE,
                "Délibération complète : rattachée ensuite à une séance, avec ses présences",
            ),
            (
                Deliberation.Kind.LIGHT,
                "Saisie simplifiée : l'assemblée siège dans un autre outil",
            ),
        ],
        initial=Deliberation.Kind.COMPLETE,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label="Numéro", max_length=50, help_text="Unique pour la collectivité, ex. 2026.00012."
    )
    title = forms.CharField(label="Titre", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    body_name = forms.CharField(
        label="Instance (saisie simplifiée)",
        max_length=150,
        required=False,
        help_text="Ex. « Conseil métropolitain ».",
    )
    session_date = forms.DateField(
        label="Date de la séance (saisie simplifiée)",
        required=False,
        widget=DateInput(),
        help_text="Le vote se saisit une fois la séance tenue.",
    )

    def __init__(self, *args, campaign, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].initial = next_number(campaign.authority, today.year)
        self.fields["title"].initial = default_title(campaign)
        self.fields["body_name"].widget.attrs["list"] = "instances"
        self.bodies = list(
            Body.objects.filter(authority_id=campaign.authority_id).values_list("name", flat=True)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Deliberation.Kind.LIGHT:
            if not (cleaned.get("body_name") or "").strip():
                self.add_error("body_name", "Indiquez l'instance qui délibère.")
            if cleaned.get("session_date") is None and "session_date" not in self.errors:
                self.add_error("session_date", "Indiquez la date de la séance.")
        return cleaned
