import django_filters
from django import forms
from django.db.models import Q

from grants.models import AssociationAccessRequest

Status = AssociationAccessRequest.Status


class AccessRequestFilter(django_filters.FilterSet):
    """The staff's list of access requests: the pending ones unless another state is chosen."""

    status = django_filters.ChoiceFilter(
        label="État", choices=Status.choices, empty_label="Tous les états", method="by_status"
    )
    q = django_filters.CharFilter(
        label="Recherche",
        method="search",
        help_text="Nom ou adresse du demandeur, nom de l'association, SIREN ou RNA.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    ordering = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("created_at", "created"), ("association__name", "association")),
        field_labels={"created_at": "Date de la demande", "association__name": "Association"},
        empty_label="Les plus anciennes d'abord",
    )

    class Meta:
        model = AssociationAccessRequest
        fields = ["status", "q"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = Status.PENDING
        super().__init__(data, *args, **kwargs)

    def by_status(self, queryset, name, value):
        return queryset.filter(status=value) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        digits = value.replace(" ", "")
        return queryset.filter(
            Q(user__last_name__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(user__email__icontains=value)
            | Q(association__name__icontains=value)
            | Q(siren=digits)
            | Q(rna__iexact=digits)
        )
