"""The filters of a campaign's request list."""

import django_filters
from django import forms
from django.db.models import Q

from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import AmountField
from grants.models import User
from grants.requests.instruction import assignable_agents
from grants.requests.rules import Status


class AmountFilter(django_filters.Filter):
    field_class = AmountField


class RequestFilter(django_filters.FilterSet):
    NOBODY = "aucun"

    status = django_filters.ChoiceFilter(
        label="Statut",
        choices=[c for c in Status.choices if c[0] != Status.DRAFT],
        empty_label="Tous les statuts",
    )
    assigned_to = django_filters.ModelChoiceFilter(
        label="Agent chargé",
        queryset=User.objects.none(),
        widget=AutocompleteWidget("autocomplete_users", placeholder="Nom de l'agent…"),
    )
    unassigned = django_filters.BooleanFilter(
        label="Sans agent chargé",
        field_name="assigned_to",
        lookup_expr="isnull",
        widget=forms.CheckboxInput,
    )
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="Association (nom, sigle, SIREN), numéro ou intitulé de la demande.",
    )
    amount_min = AmountFilter(
        label="Montant demandé à partir de", field_name="amount_requested", lookup_expr="gte"
    )
    amount_max = AmountFilter(
        label="Montant demandé jusqu'à", field_name="amount_requested", lookup_expr="lte"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("association__name", "association"),
            ("amount_requested", "asked"),
            ("proposed_amount", "proposed"),
            ("status", "status"),
            ("submitted_at", "submitted"),
            ("assigned_to__last_name", "agent"),
        ),
    )

    def __init__(self, data=None, queryset=None, *, campaign, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["assigned_to"].queryset = assignable_agents(campaign.authority_id)
        self.filters["unassigned"].field.widget = forms.CheckboxInput()

    def filter_queryset(self, queryset):
        # An unticked box means « no filter », never « assigned only ».
        if not self.form.cleaned_data.get("unassigned"):
            self.form.cleaned_data["unassigned"] = None
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(association__name__icontains=term)
                | Q(association__acronym__icontains=term)
                | Q(association__siren__startswith=term)
                | Q(reference__icontains=term)
                | Q(title__icontains=term)
            )
        return queryset

    @property
    def is_filtered(self):
        return any(
            value
            for key, value in (self.data or {}).items()
            if key not in {"page", "ordering"} and key in self.filters
        )
