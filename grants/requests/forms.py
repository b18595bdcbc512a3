"""Staff's forms: aid schemes and campaigns, and the instruction of a request (moves, agent,
checklist, messages, bulk actions)."""

from django import forms

from associations.documents.models import PieceKind
from conventions.models import ConventionTemplate
from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import AmountField, DateInput
from grants.models import Authority, User
from grants.requests import rules
from grants.requests.instruction import BULK_TARGETS, assignable_agents
from grants.requests.models import AidScheme, Campaign, RequestPieceCheck, SubsidyRequest
from grants.requests.rules import Status


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


# ---- schemes and campaigns ----------------------------------------------------------------


class SchemeForm(forms.ModelForm):
    required_pieces = forms.MultipleChoiceField(
        label="Pièces exigées",
        choices=PieceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    authority = forms.ModelChoiceField(
        label="Collectivité", queryset=Authority.objects.order_by("name"), required=False
    )

    class Meta:
        model = AidScheme
        fields = [
            "name",
            "description",
            "nature",
            "eligible_structure_types",
            "required_pieces",
            "convention_template",
            "letter_kind",
            "budget_imputation",
            "staff",
            "is_active",
        ]
        widgets = {
            "eligible_structure_types": forms.CheckboxSelectMultiple,
            "staff": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, authority=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        # The platform administrator chooses the authority of a new scheme; staff have theirs.
        if authority is not None:
            del self.fields["authority"]
            templates = ConventionTemplate.objects.filter(authority=authority)
            agents = assignable_agents(authority.pk)
        else:
            self.fields["authority"].required = True
            templates = ConventionTemplate.objects.all()
            agents = User.objects.filter(role__in=["instructeur", "admin"], is_active=True)
        self.fields["convention_template"].queryset = templates.order_by("name")
        self.fields["staff"].queryset = agents.order_by("last_name", "username")
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["staff"].help_text = "Ils reçoivent les demandes déposées sans agent chargé."

    def clean(self):
        cleaned = super().clean()
        authority = self.authority or cleaned.get("authority")
        if authority is None:
            return cleaned
        template = cleaned.get("convention_template")
        if template is not None and template.authority_id != authority.pk:
            self.add_error("convention_template", "Ce modèle est celui d'une autre collectivité.")
        for agent in cleaned.get("staff") or []:
            if agent.authority_id != authority.pk:
                self.add_error("staff", f"{agent} n'est pas un agent de la collectivité.")
        name = cleaned.get("name")
        duplicate = AidScheme.objects.filter(authority=authority, name=name).exclude(
            pk=self.instance.pk
        )
        if name and duplicate.exists():
            self.add_error("name", "La collectivité a déjà un dispositif de ce nom.")
        return cleaned


class CampaignForm(forms.ModelForm):
    envelope = AmountField(
        label="Enveloppe", help_text="Crédits de l'exercice pour ce dispositif, en euros."
    )

    class Meta:
        model = Campaign
        fields = ["year", "title", "opens_on", "closes_on", "envelope", "instructions"]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "instructions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "La clôture ne peut précéder l'ouverture.")
        year = cleaned.get("year")
        duplicate = Campaign.objects.filter(scheme=self.scheme, year=year).exclude(
            pk=self.instance.pk
        )
        if year and duplicate.exists():
            self.add_error("year", f"Ce dispositif a déjà une campagne pour l'exercice {year}.")
        return cleaned


# ---- the instruction of one request ---------------------------------------------------------


class MoveForm(forms.Form):
    """The confirmation of a staff move: the reason (required where the association must read
    why), and for « instruite » the opinion and the proposed amount."""

    text = forms.CharField(label="Message à l'association", widget=forms.Textarea, required=False)

    def __init__(self, *args, target, subsidy_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        if target in rules.NEEDS_REASON:
            self.fields["text"].required = True
            self.fields["text"].label = (
                "Ce que l'association doit corriger ou compléter"
                if target == Status.TO_COMPLETE
                else "Motif"
            )
            self.fields["text"].help_text = "L'association le lira."
        if target == Status.INSTRUCTED:
            self.fields["opinion"] = forms.ChoiceField(
                label="Avis technique",
                choices=[("", "—"), *SubsidyRequest.Opinion.choices],
                initial=subsidy_request.opinion,
            )
            self.fields["opinion_text"] = forms.CharField(
                label="Motivation de l'avis",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=subsidy_request.opinion_text,
            )
            self.fields["proposed_amount"] = AmountField(
                label="Montant proposé",
                initial=subsidy_request.proposed_amount
                if subsidy_request.proposed_amount is not None
                else subsidy_request.amount_requested,
            )
            self.fields["text"].label = "Message à l'association (facultatif)"


class AssignForm(forms.Form):
    agent = AgentChoiceField(
        label="Agent chargé",
        queryset=User.objects.none(),
        required=False,
        widget=AutocompleteWidget("autocomplete_users", placeholder="Nom de l'agent…"),
        help_text="Vide : plus d'agent chargé.",
    )

    def __init__(self, *args, authority_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = assignable_agents(authority_id)
        self.fields["agent"].error_messages["invalid_choice"] = (
            "Choisissez un agent instructeur de la collectivité."
        )


class PieceCheckForm(forms.Form):
    verdict = forms.ChoiceField(label="Avis", choices=RequestPieceCheck.Verdict.choices)
    comment = forms.CharField(label="Commentaire", max_length=300, required=False)


class MessageForm(forms.Form):
    text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(
        label="Note interne (l'association ne la voit pas)", required=False
    )


# ---- a selection of a campaign's requests ----------------------------------------------------


class BulkForm(forms.Form):
    ASSIGN = "affecter"
    action = forms.ChoiceField(
        label="Action",
        choices=[
            (ASSIGN, "Confier à un agent"),
            *[(t.value, f"Passer au statut « {t.label} »") for t in BULK_TARGETS],
        ],
    )
    agent = AgentChoiceField(
        label="Agent (pour « Confier à un agent »)",
        queryset=User.objects.none(),
        required=False,
        widget=AutocompleteWidget("autocomplete_users", placeholder="Nom de l'agent…"),
    )
    text = forms.CharField(
        label="Motif ou message (lu par chaque association)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Obligatoire pour « À compléter », « Refusée » et « Classée sans suite ».",
    )
    ids = forms.ModelMultipleChoiceField(
        label="Demandes",
        queryset=SubsidyRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une demande."},
    )

    def __init__(self, *args, campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = assignable_agents(campaign.authority_id)
        self.fields["ids"].queryset = SubsidyRequest.objects.visible_to(user).filter(
            campaign=campaign
        )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.ASSIGN and not cleaned.get("agent"):
            self.add_error("agent", "Choisissez l'agent à qui confier les demandes.")
        if action in rules.NEEDS_REASON and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Indiquez le motif : chaque association le lira.")
        return cleaned
