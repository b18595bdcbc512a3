"""Amount parsing, budget creation and saving, without HTTP."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from associations.budgets import chart
from associations.budgets.models import AssociationBudget
from associations.budgets.services import LineData, budget_create, budget_lines_save, check_rows
from grants.fields import parse_amount
from grants.models import Role
from tests.associations.budgets.factories import balanced_budget
from tests.factories import AssociationFactory, ManagerFactory, UserFactory


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1 234,56", "1234.56"),
        ("1\u00a0234,5", "1234.50"),
        ("1\u202f234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("66 000 €", "66000.00"),
        ("1.163.530", "1163530.00"),
        ("0", "0.00"),
        ("-5", "-5.00"),
    ],
)
def test_french_and_dotted_amounts_are_understood(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "  ", None, "€"])
def test_an_empty_amount_is_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "« abc » n'est pas un montant"),
        ("1,2,3", "n'est pas un montant"),
        ("1.163.53", "n'est pas un montant"),
        ("1.234", "au plus deux décimales"),
        ("12,345", "au plus deux décimales"),
        ("12 000 000,999", "au plus deux décimales"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_french_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


@pytest.mark.django_db
def test_a_new_forecast_holds_the_whole_chart_at_zero():
    association = AssociationFactory()
    budget = budget_create(
        association=association,
        year=2025,
        kind=AssociationBudget.Kind.FORECAST,
        user=UserFactory(authority=association.authority),
    )
    lines = list(budget.lines.order_by("position"))
    assert [(li.account, li.label) for li in lines] == [
        (account, label) for account, label, _ in chart.standard_lines()
    ]
    assert all(li.amount == 0 for li in lines)
    assert {li.account for li in lines if li.is_public} == {f"740{n}" for n in range(1, 10)}


@pytest.mark.django_db
def test_a_realised_budget_starts_from_its_forecasts_lines():
    forecast = balanced_budget(year=2023)
    manager = ManagerFactory(associations=[forecast.association])
    realised = budget_create(
        association=forecast.association,
        year=2023,
        kind=AssociationBudget.Kind.REALISED,
        user=manager,
    )
    labels = {li.label for li in realised.lines.all()}
    assert {"Rémunération des personnels", "Métropole", "Bénévolat"} <= labels
    assert realised.total_charges == Decimal("0.00")
    # Chapters missing from the forecast are added, so the Cerfa is complete.
    assert {li.account for li in realised.lines.all() if li.is_chapter} == set(
        chart.CHAPTERS_BY_ACCOUNT
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_cannot_create_a_budget(role):
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        budget_create(
            association=association,
            year=2025,
            kind=AssociationBudget.Kind.FORECAST,
            user=UserFactory(role=role, authority=association.authority),
        )
    assert not AssociationBudget.objects.exists()


@pytest.mark.django_db
def test_a_manager_cannot_write_another_associations_budget():
    budget = balanced_budget()
    intruder = ManagerFactory(associations=[AssociationFactory()])
    with pytest.raises(PermissionDenied):
        budget_lines_save(budget, [LineData("641", "Salaires", Decimal("1"))], user=intruder)
    assert budget.lines.count() == 6


@pytest.mark.django_db
def test_saving_replaces_the_lines_in_cerfa_order_and_records_who():
    budget = balanced_budget()
    user = UserFactory(authority=budget.association.authority)
    rows = [
        LineData("870", "Bénévolat", Decimal("10.00")),
        LineData("7404", "Métropole", Decimal("99.50")),
        LineData("641", "Salaires", Decimal("99.50")),
        LineData("864", "Personnel bénévole", Decimal("10.00")),
    ]
    budget_lines_save(budget, rows, user=user, fields={"printed_total_charges": Decimal("99.5")})
    budget.refresh_from_db()
    ordered = [li.account for li in budget.lines.order_by("position") if not li.is_chapter]
    assert ordered == ["641", "7404", "864", "870"]
    assert budget.total_charges == budget.total_products == Decimal("99.50")
    assert budget.printed_total_charges == Decimal("99.50")
    assert budget.updated_by == user
    assert budget.problems() == []


@pytest.mark.django_db
def test_a_stale_form_saves_nothing():
    budget = balanced_budget()
    user = UserFactory(authority=budget.association.authority)
    opened_at = budget.updated_at
    budget_lines_save(budget, [LineData("641", "A", Decimal("1"))], user=user)
    with pytest.raises(ValidationError, match="modifié"):
        budget_lines_save(
            budget,
            [LineData("641", "B", Decimal("2"))],
            user=user,
            expected_version=opened_at,
        )
    assert budget.lines.filter(label="A").exists()
    assert not budget.lines.filter(label="B").exists()


def test_row_checks_find_unknown_accounts_negatives_and_duplicates():
    rows = [
        LineData("641", "Salaires", Decimal("1")),
        LineData("99", "Inconnu", Decimal("1")),
        LineData("645", "Charges", Decimal("-1")),
        LineData("641", "  salaires ", Decimal("2")),
        LineData("60", "Achats", Decimal("0")),
        LineData("60", "Achats bis", Decimal("0")),
        LineData("6251", "", Decimal("0")),
    ]
    errors = dict(check_rows(rows))
    assert sorted(errors) == [1, 2, 3, 5, 6]
    assert "Compte « 99 » inconnu" in errors[1]
    assert errors[2] == "Un montant ne peut pas être négatif."
    assert errors[3].startswith("Ligne en double : compte 641")
    assert errors[5].startswith("Le chapitre 60 figure deux fois")
    assert errors[6] == "Libellé manquant pour le compte 6251."
