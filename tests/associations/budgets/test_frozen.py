"""A forecast budget that is the annex I of a signed convention must not change under it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from associations.budgets.services import LineData, budget_lines_save
from tests.conventions.factories import ConventionFactory, forecast_budget, signed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention():
    convention = ConventionFactory()
    convention.forecast_budget = forecast_budget(convention.association, year=convention.year)
    convention.save()
    return convention


def test_draft_conventions_leave_their_budget_editable(client, convention):
    budget = convention.forecast_budget
    assert budget.signed_convention is None
    client.force_login(UserFactory(authority=convention.authority))
    assert client.get(reverse("budget_edit", args=[budget.pk])).status_code == 200
    assert "Saisir les montants" in client.get(budget.get_absolute_url()).text


def test_a_signed_conventions_budget_cannot_be_edited_or_imported(client, convention):
    signed(convention)
    budget = convention.forecast_budget
    user = UserFactory(authority=convention.authority)
    client.force_login(user)
    for name in ["budget_edit", "budget_import"]:
        response = client.get(reverse(name, args=[budget.pk]), follow=True)
        assert "déjà signée : il ne peut plus être modifié" in response.text
        assert response.redirect_chain[-1][0] == budget.get_absolute_url()
    assert "Saisir les montants" not in client.get(budget.get_absolute_url()).text
    rows = [LineData(account="641", label="Personnel", amount=Decimal("1"))]
    with pytest.raises(ValidationError, match="passe par un avenant"):
        budget_lines_save(budget, rows, user=user)
    assert budget.lines.get(account="641").amount == Decimal("100000")
