import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from conventions.justificatifs.models import Justificatif, overdue_condition
from grants.fields import SmallTableChoiceFilter
from grants.models import Authority


class JustificatifFilter(django_filters.FilterSet):
    """The staff review queue: the current pieces, to review first."""

    authority = SmallTableChoiceFilter(
        label="Collectivité",
        field_name="convention__authority",
        queryset=Authority.objects.all(),
        empty_label="Toutes",
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=Justificatif.Status.choices, empty_label="Tous les statuts"
    )
    kind = django_filters.ChoiceFilter(
        label="Pièce", choices=Justificatif.Kind.choices, empty_label="Toutes les pièces"
    )
    association = django_filters.CharFilter(
        label="Association", method="search_association", widget=forms.TextInput({"type": "search"})
    )
    year = django_filters.NumberFilter(label="Exercice", field_name="convention__year")
    overdue = django_filters.ChoiceFilter(
        label="Échéance",
        method="filter_overdue",
        empty_label="Toutes",
        choices=[
            ("retard", "En retard (déposé après l'échéance ou échéance passée sans acceptation)"),
            ("dans_les_temps", "Dans les temps"),
        ],
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(
            ("uploaded_at", "uploaded"),
            ("due_date", "due"),
            ("convention__association__name", "association"),
            ("kind", "kind"),
        ),
        empty_label="Dépôt (le plus ancien d'abord)",
    )

    class Meta:
        model = Justificatif
        fields = ["status", "kind", "association", "year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_platform_admin:
            del self.filters["authority"]

    def search_association(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(convention__association__name__icontains=value)
            | Q(convention__association__acronym__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        late = Q(uploaded_at__date__gt=F("due_date")) | overdue_condition(timezone.localdate())
        if value == "retard":
            return queryset.filter(late)
        if value == "dans_les_temps":
            return queryset.exclude(late)
        return queryset
