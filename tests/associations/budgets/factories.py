"""Factories for association budgets (tests/associations/test_budget_*.py)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from associations.budgets.models import AssociationBudget, AssociationBudgetLine
from tests.factories import AssociationFactory


class AssociationBudgetFactory(DjangoModelFactory):
    class Meta:
        model = AssociationBudget

    association = factory.SubFactory(AssociationFactory)
    year = 2024
    kind = AssociationBudget.Kind.FORECAST


class AssociationBudgetLineFactory(DjangoModelFactory):
    """The side follows from the account (the model's save sets it)."""

    class Meta:
        model = AssociationBudgetLine

    budget = factory.SubFactory(AssociationBudgetFactory)
    account = "641"
    label = factory.Sequence(lambda n: f"Ligne {n}")
    amount = Decimal("1000.00")
    position = factory.Sequence(lambda n: n * 10)


def balanced_budget(**kwargs):
    """A small budget where charges = produits = 100 000 € and 86 = 87 = 5 000 €."""
    budget = AssociationBudgetFactory(**kwargs)
    for account, label, amount in [
        ("641", "Rémunération des personnels", "70000.00"),
        ("645", "Charges sociales", "30000.00"),
        ("7404", "Métropole", "60000.00"),
        ("756", "Cotisations", "40000.00"),
        ("864", "Personnel bénévole", "5000.00"),
        ("870", "Bénévolat", "5000.00"),
    ]:
        AssociationBudgetLineFactory(
            budget=budget, account=account, label=label, amount=Decimal(amount)
        )
    return budget
