import django_filters
from django import forms
from django.db.models import Q

from associations.models import Association, StructureType, ThematicDomain
from grants.fields import SmallTableChoiceFilter


class AssociationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    structure_type = SmallTableChoiceFilter(
        label="Type de structure",
        queryset=StructureType.objects.all(),
        empty_label="Tous les types",
    )
    domain = SmallTableChoiceFilter(
        label="Domaine",
        field_name="domains",
        queryset=ThematicDomain.objects.all(),
        empty_label="Tous les domaines",
    )
    city = django_filters.CharFilter(label="Ville", lookup_expr="icontains")
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("name", "name"),
            ("city", "city"),
            ("structure_type__name", "type"),
            ("created_at", "created"),
        ),
        field_labels={
            "name": "Nom",
            "city": "Ville",
            "structure_type__name": "Type",
            "created_at": "Date de création",
        },
        empty_label="Nom (A → Z)",
    )

    class Meta:
        model = Association
        fields = ["q", "structure_type", "domain", "city"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        digits = value.replace(" ", "")
        condition = Q(name__icontains=value) | Q(acronym__icontains=value)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits) | Q(siret__startswith=digits)
        if digits.upper().startswith("W"):
            condition |= Q(rna__iexact=digits)
        return queryset.filter(condition)
