"""The finance lists' filters. Each export reuses its list's FilterSet, so the spreadsheet holds
exactly the rows shown on screen (all pages)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from associations.models import Association
from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import DateInput, SmallTableChoiceFilter
from grants.finance.models import BudgetLine, Clawback, Payment
from grants.models import Authority, Grant, GrantNature
from grants.validators import validate_plausible_date

PLAUSIBLE = [validate_plausible_date]


def search_widget():
    return forms.TextInput(attrs={"type": "search"})


class UserFilterSet(django_filters.FilterSet):
    """A FilterSet whose choices are limited to what the user may see."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        self.user = user
        super().__init__(data, queryset=queryset, **kwargs)
        if "association" in self.filters:
            self.filters["association"].queryset = Association.objects.visible_to(user).only(
                "pk", "name"
            )
        if "authority" in self.filters:
            if user.is_platform_admin:
                self.filters["authority"].queryset = Authority.objects.all()
            else:
                del self.filters["authority"]

    @property
    def is_filtered(self):
        return any(
            value
            for key, value in (self.data or {}).items()
            if key not in {"page", "ordering"} and key in self.filters
        )


# ---- payments: the finance queue -------------------------------------------------------------


class PaymentFilter(UserFilterSet):
    TO_CERTIFY = "a_certifier"
    TO_ORDER = "a_mandater"
    ORDERED = "mandate"
    OVERDUE = "en_retard"
    PAID = "paye"
    REJECTED = "rejete"
    OPEN = "en_cours"
    STATES = [
        (OPEN, "En cours (à certifier, à mandater, mandatés)"),
        (TO_CERTIFY, "À certifier (service fait)"),
        (TO_ORDER, "À mandater"),
        (OVERDUE, "En retard : service fait depuis plus de 30 jours, non mandaté"),
        (ORDERED, "Mandatés, paiement à constater"),
        (PAID, "Payés"),
        (REJECTED, "Rejetés"),
    ]
    # Without a choice, the period applies to the date of the request.
    PERIOD_FIELDS = [("order_date", "Date du mandat"), ("paid_date", "Date de paiement")]

    state = django_filters.ChoiceFilter(
        label="État", choices=STATES, method="filter_state", empty_label="Tous les états"
    )
    kind = django_filters.ChoiceFilter(
        label="Nature", choices=Payment.Kind.choices, empty_label="Toutes les natures"
    )
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=search_widget(),
        help_text="Association, n° de convention ou de mandat.",
    )
    # A payment reaches its association, year and authority through its convention or, for a
    # versement unique, through its grant.
    association = django_filters.ModelChoiceFilter(
        label="Association",
        method="filter_either_path",
        queryset=Association.objects.none(),
        widget=AutocompleteWidget("autocomplete_associations"),
        empty_label="Toutes les associations",
    )
    year = django_filters.NumberFilter(label="Exercice", method="filter_either_path")
    authority = SmallTableChoiceFilter(
        label="Collectivité",
        method="filter_either_path",
        queryset=Authority.objects.none(),
        empty_label="Toutes les collectivités",
    )
    period_on = django_filters.ChoiceFilter(
        label="Période portant sur",
        choices=PERIOD_FIELDS,
        method="filter_nothing",
        empty_label="Date de la demande",
    )
    start = django_filters.DateFilter(
        label="Du", method="filter_nothing", widget=DateInput(), validators=PLAUSIBLE
    )
    end = django_filters.DateFilter(
        label="Au", method="filter_nothing", widget=DateInput(), validators=PLAUSIBLE
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("requested_at", "requested"),
            ("amount", "amount"),
            ("convention__association__name", "association"),
            ("certified_at", "certified"),
            ("order_date", "ordered"),
            ("paid_date", "paid"),
        ),
    )

    class Meta:
        model = Payment
        fields = []

    def filter_nothing(self, queryset, name, value):
        # Applied together in filter_queryset (the period needs all three fields).
        return queryset

    def filter_either_path(self, queryset, name, value):
        return queryset.filter(Q(**{f"convention__{name}": value}) | Q(**{f"grant__{name}": value}))

    def filter_state(self, queryset, name, value):
        status = Payment.Status
        if value == self.OPEN:
            return queryset.filter(status__in=[status.REQUESTED, status.CERTIFIED, status.ORDERED])
        if value == self.OVERDUE:
            return queryset.overdue(timezone.now())
        by_state = {
            self.TO_CERTIFY: status.REQUESTED,
            self.TO_ORDER: status.CERTIFIED,
            self.ORDERED: status.ORDERED,
            self.PAID: status.PAID,
            self.REJECTED: status.REJECTED,
        }
        return queryset.filter(status=by_state[value])

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(convention__association__name__icontains=value)
            | Q(convention__association__acronym__icontains=value)
            | Q(grant__association__name__icontains=value)
            | Q(grant__association__acronym__icontains=value)
            | Q(convention__number__icontains=value)
            | Q(order_number__icontains=value)
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        field = data.get("period_on") or "requested_at"
        lookup = f"{field}__date" if field == "requested_at" else field
        if data.get("start"):
            queryset = queryset.filter(**{f"{lookup}__gte": data["start"]})
        if data.get("end"):
            queryset = queryset.filter(**{f"{lookup}__lte": data["end"]})
        return queryset


# ---- budget lines ----------------------------------------------------------------------------


class BudgetLineFilter(UserFilterSet):
    year = django_filters.NumberFilter(label="Exercice")
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=search_widget(),
        help_text="Libellé, codes service ou imputation (INUM/SUFLI/65748).",
    )
    budget = django_filters.ChoiceFilter(
        label="Budget", choices=BudgetLine.Budget.choices, empty_label="Tous les budgets"
    )
    section = django_filters.ChoiceFilter(
        label="Section", choices=BudgetLine.Section.choices, empty_label="Toutes les sections"
    )
    chapter = django_filters.CharFilter(label="Chapitre")
    nature = django_filters.CharFilter(label="Nature (M57)", lookup_expr="startswith")
    with_available = django_filters.BooleanFilter(
        label="Crédits disponibles",
        method="filter_available",
        widget=forms.Select(
            choices=[("", "Toutes les lignes"), ("true", "Avec crédits"), ("false", "Épuisées")]
        ),
    )
    authority = SmallTableChoiceFilter(
        label="Collectivité", queryset=Authority.objects.none(), empty_label="Toutes"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("year", "year"),
            ("service_codes", "codes"),
            ("nature", "nature"),
            ("label", "label"),
            ("voted_credits", "voted"),
            ("committed", "committed"),
            ("available", "available"),
        ),
    )

    class Meta:
        model = BudgetLine
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(label__icontains=value) | Q(service_codes__icontains=value)
        codes, _, nature = value.upper().rpartition("/")
        if codes and nature.isdigit():
            condition |= Q(service_codes=codes, nature__startswith=nature)
        return queryset.filter(condition)

    def filter_available(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(available__gt=0) if value else queryset.filter(available__lte=0)


# ---- grants to commit ------------------------------------------------------------------------


class GrantFinanceFilter(UserFilterSet):
    year = django_filters.NumberFilter(label="Exercice")
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=search_widget(),
        help_text="Association, objet ou n° d'engagement.",
    )
    association = django_filters.ModelChoiceFilter(
        label="Association",
        queryset=Association.objects.none(),
        widget=AutocompleteWidget("autocomplete_associations"),
        empty_label="Toutes",
    )
    committed = django_filters.BooleanFilter(
        label="Engagement",
        field_name="commitment",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.Select(choices=[("", "Toutes"), ("true", "Engagées"), ("false", "À engager")]),
    )
    nature = django_filters.ChoiceFilter(
        label="Nature", choices=GrantNature.choices, empty_label="Toutes les natures"
    )
    amount_min = django_filters.NumberFilter(
        label="Montant minimum (€)", field_name="amount", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label="Montant maximum (€)", field_name="amount", lookup_expr="lte"
    )
    authority = SmallTableChoiceFilter(
        label="Collectivité", queryset=Authority.objects.none(), empty_label="Toutes"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("association__name", "association"),
            ("amount", "amount"),
            ("year", "year"),
            ("commitment__date", "committed"),
        ),
    )

    class Meta:
        model = Grant
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(association__name__icontains=value)
            | Q(association__acronym__icontains=value)
            | Q(object__icontains=value)
            | Q(commitment__number__icontains=value)
        )


# ---- clawbacks -------------------------------------------------------------------------------


class ClawbackFilter(UserFilterSet):
    start = django_filters.DateFilter(
        label="Titre émis du",
        field_name="title_date",
        lookup_expr="gte",
        widget=DateInput(),
        validators=PLAUSIBLE,
    )
    end = django_filters.DateFilter(
        label="au",
        field_name="title_date",
        lookup_expr="lte",
        widget=DateInput(),
        validators=PLAUSIBLE,
    )
    year = django_filters.NumberFilter(label="Exercice", field_name="convention__year")
    association = django_filters.ModelChoiceFilter(
        label="Association",
        field_name="convention__association",
        queryset=Association.objects.none(),
        widget=AutocompleteWidget("autocomplete_associations"),
        empty_label="Toutes",
    )
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=search_widget(),
        help_text="Association, n° de titre ou de convention.",
    )
    authority = SmallTableChoiceFilter(
        label="Collectivité",
        field_name="convention__authority",
        queryset=Authority.objects.none(),
        empty_label="Toutes",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("title_date", "date"),
            ("amount", "amount"),
            ("convention__association__name", "association"),
        ),
    )

    class Meta:
        model = Clawback
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(convention__association__name__icontains=value)
            | Q(title_number__icontains=value)
            | Q(convention__number__icontains=value)
        )


# ---- the lists' querysets, shared by the pages and their exports -----------------------------


def payment_filterset(user, data):
    queryset = Payment.objects.visible_to(user).select_related(
        "convention__association",
        "convention__authority",
        "grant__association",
        "grant__authority",
        "certified_by",
        "commitment__budget_line",
    )
    return PaymentFilter(data, queryset=queryset, user=user)


def budget_line_filterset(user, data):
    queryset = BudgetLine.objects.visible_to(user).select_related("authority").with_consumption()
    return BudgetLineFilter(data, queryset=queryset, user=user)


def grant_filterset(user, data):
    queryset = Grant.objects.visible_to(user).select_related(
        "association", "deliberation", "authority", "commitment__budget_line"
    )
    return GrantFinanceFilter(data, queryset=queryset, user=user)


def clawback_filterset(user, data):
    queryset = Clawback.objects.visible_to(user).select_related(
        "convention__association", "convention__authority"
    )
    return ClawbackFilter(data, queryset=queryset, user=user)
