import django_filters
from django import forms
from django.db.models import DecimalField, ExpressionWrapper, F, Q

from conventions.models import Convention
from grants import rules
from grants.fields import SmallTableChoiceFilter
from grants.models import Authority, Grant

MONEY = DecimalField(max_digits=14, decimal_places=2)


class ConventionFilter(django_filters.FilterSet):
    authority = SmallTableChoiceFilter(
        label="Collectivité", queryset=Authority.objects.all(), empty_label="Toutes"
    )
    year = django_filters.NumberFilter(label="Exercice")
    status = django_filters.ChoiceFilter(
        label="Statut", choices=Convention.Status.choices, empty_label="Tous les statuts"
    )
    association = django_filters.CharFilter(
        label="Association", method="search_association", widget=forms.TextInput({"type": "search"})
    )
    amount_min = django_filters.NumberFilter(
        label="Montant minimum (€)", field_name="amount_total", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label="Montant maximum (€)", field_name="amount_total", lookup_expr="lte"
    )
    obligation = django_filters.ChoiceFilter(
        label="Obligations",
        method="filter_obligation",
        empty_label="Toutes",
        choices=[
            ("commissaire", "Commissaire aux comptes obligatoire"),
            ("certification", "Comptes certifiés par le président"),
            ("sans_budget", "Sans budget prévisionnel (obligations inconnues)"),
        ],
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("number", "number"),
            ("year", "year"),
            ("association__name", "association"),
            ("amount_total", "amount"),
            ("status", "status"),
        ),
        empty_label="Exercice (récent d'abord)",
    )

    class Meta:
        model = Convention
        fields = ["authority", "year", "status", "association", "amount_min", "amount_max"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_platform_admin:
            del self.filters["authority"]

    def search_association(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(association__name__icontains=value) | Q(association__acronym__icontains=value)
        )

    def filter_obligation(self, queryset, name, value):
        # The budgets' stored sums (AssociationBudget.store_totals), not a sum per convention.
        if value == "commissaire":
            return queryset.filter(
                forecast_budget__stored_public_subsidies__gt=rules.AUDITOR_THRESHOLD
            )
        if value == "certification":
            charges = F("forecast_budget__stored_total_charges")
            half = ExpressionWrapper(charges * rules.CERTIFIED_ACCOUNTS_SHARE, output_field=MONEY)
            return queryset.alias(half=half).filter(
                Q(amount_total__gt=rules.CERTIFIED_ACCOUNTS_THRESHOLD)
                | Q(forecast_budget__stored_total_charges__gt=0, amount_total__gt=F("half"))
            )
        if value == "sans_budget":
            return queryset.filter(forecast_budget__isnull=True)
        return queryset


class MissingConventionFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="Exercice")
    association = django_filters.CharFilter(
        label="Association",
        field_name="association__name",
        lookup_expr="icontains",
        widget=forms.TextInput({"type": "search"}),
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("year", "year"), ("association__name", "association"), ("amount", "amount")),
    )

    class Meta:
        model = Grant
        fields = ["year", "association"]
