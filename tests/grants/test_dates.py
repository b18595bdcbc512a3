"""Dates typed in forms and filters: out-of-range years get a French error, never a 500."""

import datetime
import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.models import Convention
from grants.validators import validate_plausible_date
from tests.conventions.factories import ConventionFactory
from tests.factories import ManagerFactory

FORM_MODULES = [
    "grants.finance.forms",
    "conventions.forms",
    "conventions.justificatifs.forms",
    "deliberations.forms",
    "associations.forms",
    "associations.budgets.forms",
    "associations.indicators.forms",
]
FILTER_MODULES = [
    "grants.finance.filters",
    "conventions.filters",
    "conventions.justificatifs.filters",
    "deliberations.filters",
    "associations.filters",
    "associations.budgets.filters",
    "associations.indicators.filters",
]


def classes(module_names, base):
    for name in module_names:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == name:
                yield cls


def test_every_date_field_of_every_form_refuses_implausible_dates():
    checked = []
    for form_class in classes(FORM_MODULES, forms.BaseForm):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField):
                assert validate_plausible_date in field.validators, (form_class, name)
                checked.append((form_class.__name__, name))
    assert len(checked) >= 20  # the forms of finance, conventions, deliberations, associations


def test_every_date_filter_refuses_implausible_dates():
    checked = []
    for filterset in classes(FILTER_MODULES, django_filters.FilterSet):
        for name, item in filterset.base_filters.items():
            if isinstance(item, django_filters.DateFilter):
                assert validate_plausible_date in item.extra.get("validators", []), (
                    filterset,
                    name,
                )
                checked.append(name)
    assert len(checked) >= 4


@pytest.mark.parametrize(
    "day", [datetime.date(1, 1, 1), datetime.date(1899, 12, 31), datetime.date(2101, 1, 1)]
)
def test_implausible_dates_are_refused_in_french(day):
    with pytest.raises(ValidationError) as error:
        validate_plausible_date(day)
    assert error.value.messages == [
        "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."
    ]


@pytest.mark.parametrize("day", [datetime.date(1900, 1, 1), datetime.date(2100, 12, 31), None])
def test_plausible_dates_pass(day):
    validate_plausible_date(day)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31", "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."),
        ("0001-01-01", "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100."),
        ("99999-01-01", "Saisissez une date valide."),
        ("2024-02-30", "Saisissez une date valide."),
    ],
)
def test_a_signature_dated_year_9999_is_refused_and_nothing_changes(client, typed, message):
    convention = ConventionFactory()
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.READY)
    client.force_login(ManagerFactory(associations=[convention.association]))
    url = reverse("convention_step", args=[convention.pk, "signature-association"])
    response = client.post(url, {"signer_name": "Jean DUPONT", "signed_on": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    convention.refresh_from_db()
    assert convention.status == Convention.Status.READY
    assert convention.association_signed_at is None
