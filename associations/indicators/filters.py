import django_filters
from django import forms
from django.db.models import Q

from associations.indicators.models import IndicatorReport, IndicatorSet
from associations.models import StructureType
from grants.fields import SmallTableChoiceFilter


def _search(field_names):
    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in field_names:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return search


class IndicatorReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Association",
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    year = django_filters.NumberFilter(label="Année", field_name="indicator_set__year")
    status = django_filters.ChoiceFilter(
        label="Statut", choices=IndicatorReport.Status.choices, empty_label="Tous"
    )
    structure_type = SmallTableChoiceFilter(
        label="Type de structure",
        field_name="indicator_set__structure_type",
        queryset=StructureType.objects.all(),
        empty_label="Tous",
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("indicator_set__year", "year"),
            ("association__name", "association"),
            ("status", "status"),
            ("submitted_at", "submitted"),
        ),
        field_labels={
            "indicator_set__year": "Année",
            "association__name": "Association",
            "status": "Statut",
            "submitted_at": "Soumis le",
        },
        empty_label="Année (récente d'abord)",
    )

    search = _search(["association__name", "association__acronym"])

    class Meta:
        model = IndicatorReport
        fields = ["q", "year", "status", "structure_type"]


class IndicatorSetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Titre",
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    year = django_filters.NumberFilter(label="Année")
    structure_type = SmallTableChoiceFilter(
        label="Type de structure", queryset=StructureType.objects.all(), empty_label="Tous"
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("year", "year"), ("structure_type__name", "type")),
        field_labels={"year": "Année", "structure_type__name": "Type de structure"},
        empty_label="Année (récente d'abord)",
    )

    search = _search(["title"])

    class Meta:
        model = IndicatorSet
        fields = ["q", "year", "structure_type"]
