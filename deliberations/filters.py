import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from deliberations.models import Body, Deliberation, Session
from grants.fields import SmallTableChoiceFilter
from grants.models import Grant


def _year_choices(sessions):
    years = sessions.dates("date", "year", order="DESC")
    return [(d.year, str(d.year)) for d in years]


class DeliberationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Numéro ou titre"}),
    )
    year = django_filters.ChoiceFilter(
        label="Année de la séance", field_name="decided_on__year", empty_label="Toutes"
    )
    body = SmallTableChoiceFilter(
        label="Instance",
        field_name="session__body",
        queryset=Body.objects.none(),
        empty_label="Toutes",
    )
    thematic = django_filters.ChoiceFilter(label="Thématique", empty_label="Toutes")
    status = django_filters.ChoiceFilter(
        label="Statut", choices=Deliberation.Status.choices, empty_label="Tous"
    )
    association = django_filters.CharFilter(
        label="Association bénéficiaire", method="filter_association"
    )
    amount_min = django_filters.NumberFilter(
        label="Montant total minimum (€)", field_name="grants_total", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label="Montant total maximum (€)", field_name="grants_total", lookup_expr="lte"
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("number", "number"),
            ("decided_on", "date"),
            ("title", "title"),
            ("grants_total", "amount"),
            ("status", "status"),
        ),
        empty_label="Séance la plus récente",
    )

    class Meta:
        model = Deliberation
        fields = ["q", "year", "body", "thematic", "status", "association"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        sessions = Session.objects.visible_to(user)
        self.filters["year"].extra["choices"] = _year_choices(sessions)
        self.filters["body"].queryset = Body.objects.visible_to(user)
        thematics = (
            Deliberation.objects.visible_to(user)
            .exclude(thematic="")
            .order_by("thematic")
            .values_list("thematic", flat=True)
            .distinct()
        )
        self.filters["thematic"].extra["choices"] = [(t, t) for t in thematics]
        for name in ("amount_min", "amount_max"):
            self.filters[name].extra["widget"] = forms.NumberInput(attrs={"min": 0, "step": 1})

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(thematic__icontains=value)
        )

    def filter_association(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        grants = Grant.objects.filter(deliberation=OuterRef("pk")).filter(
            Q(association__name__icontains=value) | Q(association__acronym__iexact=value)
        )
        return queryset.filter(Exists(grants))


class SessionFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label="Année", field_name="date__year", empty_label="Toutes")
    body = SmallTableChoiceFilter(
        label="Instance", queryset=Body.objects.none(), empty_label="Toutes"
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("date", "date"), ("body__name", "body"), ("present_count", "present")),
        empty_label="Plus récente d'abord",
    )

    class Meta:
        model = Session
        fields = ["year", "body"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["year"].extra["choices"] = _year_choices(
            Session.objects.visible_to(request.user)
        )
        self.filters["body"].queryset = Body.objects.visible_to(request.user)
