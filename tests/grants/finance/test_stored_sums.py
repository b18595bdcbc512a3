"""The sums stored on each grant (grants.finance.sums) follow every path that changes them, and
the staff home reads its yearly totals and its "without a convention" count from them."""

# ruff: noqa: F811 (the fixtures of test_payments_services, imported by name)

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.finance import services
from grants.finance.sums import refresh_grants, stale_grants
from grants.models import Grant
from tests.conventions.factories import ConventionFactory
from tests.factories import GrantFactory, UserFactory
from tests.grants.finance.factories import BudgetLineFactory, CommitmentFactory
from tests.grants.finance.test_payments_services import (  # noqa: F401 (fixtures)
    convention,
    finance,
    instructor,
    manager,
    pay,
    request_advance,
)

pytestmark = pytest.mark.django_db
D = Decimal


def stored(grant):
    grant.refresh_from_db()
    return grant.committed_amount, grant.paid_amount, grant.has_convention


def test_payments_paid_through_the_services_add_up_on_the_grant(
    convention, manager, instructor, finance
):
    grant = convention.grants.get()
    assert stored(grant) == (D("66000.00"), D("0.00"), True)
    advance = request_advance(convention, manager, "52800.00")
    services.payment_certify(advance, instructor)
    assert stored(grant)[1] == D("0.00")  # certified, not paid
    today = timezone.localdate()
    services.payment_order(advance, finance, number="M-1", date=today)
    assert stored(grant)[1] == D("0.00")  # ordered, not paid yet
    services.payment_record_paid(advance, finance, date=today)
    assert stored(grant) == (D("66000.00"), D("52800.00"), True)
    assert not stale_grants(Grant.objects.all()).exists()


def test_a_commitment_typed_then_cancelled_leaves_nothing_committed(finance):
    grant = GrantFactory(amount=D("12000.50"), year=2024)
    line = BudgetLineFactory(authority=grant.authority, year=2024)
    commitment = CommitmentFactory(grant=grant, budget_line=line, amount=D("12000.50"))
    assert stored(grant) == (D("12000.50"), D("0.00"), False)
    commitment.delete()
    assert stored(grant) == (D("0.00"), D("0.00"), False)


def test_a_convention_covering_a_grant_sets_the_flag_every_way_it_changes():
    grant = GrantFactory(amount=D("30000.00"))
    other = GrantFactory(amount=D("40000.00"), association=grant.association)
    convention = ConventionFactory(association=grant.association)
    convention.grants.add(grant)
    assert stored(grant)[2] is True
    convention.grants.remove(grant)
    assert stored(grant)[2] is False
    grant.conventions.add(convention)  # the reverse side
    assert stored(grant)[2] is True
    convention.grants.set([other])
    assert (stored(grant)[2], stored(other)[2]) == (False, True)
    convention.grants.clear()
    assert stored(other)[2] is False
    convention.grants.add(grant, other)
    convention.delete()
    assert (stored(grant)[2], stored(other)[2]) == (False, False)
    assert not stale_grants(Grant.objects.all()).exists()


def test_rows_written_in_bulk_are_caught_by_the_check_and_refreshed():
    grant = GrantFactory(amount=D("5000.00"), year=2024)
    CommitmentFactory(grant=grant, amount=D("5000.00"))
    Grant.objects.filter(pk=grant.pk).update(committed_amount=D("1.00"))
    assert list(stale_grants(Grant.objects.all())) == [grant]
    refresh_grants(Grant.objects.all())
    assert stored(grant)[0] == D("5000.00")
    assert not stale_grants(Grant.objects.all()).exists()


def test_staff_home_totals_and_missing_convention_count_read_the_stored_sums(
    client, convention, manager, instructor, finance
):
    grant = convention.grants.get()
    pay(request_advance(convention, manager, "52800.00"), instructor, finance)
    uncovered = GrantFactory(authority=convention.authority, amount=D("23000.01"), year=grant.year)
    GrantFactory(authority=convention.authority, amount=D("23000.00"), year=grant.year)
    client.force_login(UserFactory(authority=convention.authority))
    response = client.get(reverse("home"))
    row = response.context["grant_totals"][0]
    assert (row["year"], row["committed"], row["paid"]) == (
        grant.year,
        D("66000.00"),
        D("52800.00"),
    )
    assert row["proposed"] + row["voted"] == D("66000.00") + D("23000.01") + D("23000.00")
    lines = {label: count for label, count, _ in response.context["todo"]}
    assert lines["Subvention de plus de 23\u00a0000\u00a0€ sans convention"] == 1
    # Once a convention covers it, the line goes.
    ConventionFactory(association=uncovered.association).grants.add(uncovered)
    response = client.get(reverse("home"))
    labels = [label for label, _, _ in response.context["todo"]]
    assert not any("sans convention" in label for label in labels)
    listed = client.get(reverse("grants_missing_convention"))
    assert listed.context["page"].paginator.count == 0


def test_the_command_checks_then_repairs_the_stored_sums():
    from io import StringIO

    from django.core.management import CommandError, call_command

    grant = GrantFactory(amount=D("5000.00"), year=2024)
    CommitmentFactory(grant=grant, amount=D("5000.00"))
    out = StringIO()
    call_command("refresh_grant_sums", "--check", stdout=out)
    assert "à jour" in out.getvalue()
    Grant.objects.filter(pk=grant.pk).update(committed_amount=D("0.00"))
    with pytest.raises(CommandError, match="1 subvention"):
        call_command("refresh_grant_sums", "--check")
    call_command("refresh_grant_sums", stdout=out)
    assert "1 était à corriger" in out.getvalue()
    assert stored(grant)[0] == D("5000.00")


def test_saving_a_grant_loaded_before_a_commitment_keeps_the_stored_sums():
    grant = GrantFactory(amount=D("8000.00"), year=2024)
    loaded = Grant.objects.get(pk=grant.pk)  # committed_amount 0 in memory
    CommitmentFactory(grant=grant, amount=D("8000.00"))
    loaded.object = "Objet corrigé"
    loaded.save()
    assert stored(grant)[0] == D("8000.00")
    assert Grant.objects.get(pk=grant.pk).object == "Objet corrigé"
