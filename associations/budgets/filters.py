import django_filters
from django import forms
from django.db.models import Q

from associations.budgets.models import AssociationBudget


class AssociationBudgetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Association",
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    year = django_filters.NumberFilter(label="Exercice")
    kind = django_filters.ChoiceFilter(
        label="Nature", choices=AssociationBudget.Kind.choices, empty_label="Toutes"
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("year", "year"), ("association__name", "association"), ("updated_at", "updated")),
        field_labels={
            "year": "Exercice",
            "association__name": "Association",
            "updated_at": "Dernière modification",
        },
        empty_label="Exercice (récent d'abord)",
    )

    class Meta:
        model = AssociationBudget
        fields = ["q", "year", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(association__name__icontains=value) | Q(association__acronym__icontains=value)
        )
