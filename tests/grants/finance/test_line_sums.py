"""The committed, ordered and paid sums stored on each budget line (grants.finance.sums) follow
the services to the cent, the lines' list and totals read them, and the check catches a line
written behind the models' back."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from grants.finance import services
from grants.finance.sums import refresh_budget_lines, stale_budget_lines
from grants.models import BudgetLine, Commitment, Payment
from tests.factories import GrantFactory
from tests.grants.finance.factories import (
    BudgetLineFactory,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


def stored(line):
    line.refresh_from_db()
    return line.committed_amount, line.ordered_amount, line.paid_amount


def from_rows(line):
    """The line's sums read from its commitments and payments (what the stored ones replace)."""
    payments = Payment.objects.filter(commitment__budget_line=line)

    def total(queryset):
        return queryset.aggregate(total=Sum("amount"))["total"] or D("0.00")

    return (
        total(Commitment.objects.filter(budget_line=line)),
        total(payments.filter(status__in=Payment.ORDERED_STATUSES)),
        total(payments.filter(status=Payment.Status.PAID)),
    )


@pytest.fixture
def convention():
    convention = convention_with("66000.37")
    attach_forecast(convention, "953530.00")
    return convention


@pytest.fixture
def line(convention):
    return BudgetLineFactory(
        authority=convention.authority, year=convention.year, voted_credits=D("500000.00")
    )


@pytest.fixture
def finance(convention):
    return finance_of(convention.authority)


def commit(grant, line, finance, number):
    return services.grant_commit(
        grant=grant, budget_line=line, number=number, date=datetime.date(2024, 7, 1), user=finance
    )


def test_the_line_sums_follow_a_commitment_and_a_payment_ordered_then_paid(
    convention, line, finance
):
    zero = D("0.00")
    assert stored(line) == (zero, zero, zero)
    commitment = commit(convention.grants.get(), line, finance, "EJ-1")
    assert stored(line) == (D("66000.37"), zero, zero)
    other = commit(
        GrantFactory(authority=line.authority, year=line.year, amount=D("1234.56")),
        line,
        finance,
        "EJ-2",
    )
    assert stored(line) == (D("67234.93"), zero, zero)

    advance = services.payment_request(
        convention=convention,
        user=manager_of(convention),
        kind=Payment.Kind.ADVANCE,
        amount=D("52800.29"),
        signer_name="Fabien ALLI",
        certified=True,
    )
    services.payment_certify(advance, instructor_of(convention.authority))
    assert stored(line) == (D("67234.93"), zero, zero)  # certified: not ordered yet
    today = timezone.localdate()
    services.payment_order(advance, finance, number="M-1", date=today, commitment=commitment)
    assert stored(line) == (D("67234.93"), D("52800.29"), zero)
    services.payment_record_paid(advance, finance, date=today)
    assert stored(line) == (D("67234.93"), D("52800.29"), D("52800.29"))

    services.commitment_cancel(other, finance)  # typed by mistake
    assert stored(line) == (D("66000.37"), D("52800.29"), D("52800.29"))
    assert stored(line) == from_rows(line)
    assert not stale_budget_lines(BudgetLine.objects.all()).exists()

    row = BudgetLine.objects.with_consumption().get(pk=line.pk)
    assert (row.committed, row.ordered, row.paid, row.available) == (
        D("66000.37"),
        D("52800.29"),
        D("52800.29"),
        D("433999.63"),
    )


def test_a_paid_payment_deleted_or_moved_leaves_its_line(convention, line, finance):
    commitment = commit(convention.grants.get(), line, finance, "EJ-1")
    second = BudgetLineFactory(authority=line.authority, year=line.year)
    advance = services.payment_request(
        convention=convention,
        user=manager_of(convention),
        kind=Payment.Kind.ADVANCE,
        amount=D("10000.01"),
        signer_name="Fabien ALLI",
        certified=True,
    )
    services.payment_certify(advance, instructor_of(convention.authority))
    today = timezone.localdate()
    services.payment_order(advance, finance, number="M-1", date=today, commitment=commitment)
    services.payment_record_paid(advance, finance, date=today)
    # A correction: the commitment moved to another line (its payments with it).
    commitment = Commitment.objects.get(pk=commitment.pk)
    commitment.budget_line = second
    commitment.save()
    zero = D("0.00")
    assert stored(line) == (zero, zero, zero)
    assert stored(second) == (D("66000.37"), D("10000.01"), D("10000.01"))
    Payment.objects.get(pk=advance.pk).delete()
    assert stored(second) == (D("66000.37"), zero, zero)
    assert not stale_budget_lines(BudgetLine.objects.all()).exists()


def test_saving_a_line_loaded_before_a_commitment_keeps_the_stored_sums(convention, line, finance):
    loaded = BudgetLine.objects.get(pk=line.pk)  # its sums read as 0
    commit(convention.grants.get(), line, finance, "EJ-1")
    loaded.label = "Subventions aux associations (libellé corrigé)"
    services.budget_line_save(loaded, finance)
    assert stored(line) == (D("66000.37"), D("0.00"), D("0.00"))
    assert line.label == "Subventions aux associations (libellé corrigé)"


def test_the_list_and_its_totals_read_the_stored_sums_equal_to_the_rows(
    client, convention, line, finance
):
    commit(convention.grants.get(), line, finance, "EJ-1")
    other = BudgetLineFactory(authority=line.authority, year=line.year, voted_credits=D("1.00"))
    commit(
        GrantFactory(authority=line.authority, year=line.year, amount=D("0.99")),
        other,
        finance,
        "EJ-2",
    )
    client.force_login(finance)
    response = client.get(reverse("budget_line_list"))
    assert response.status_code == 200
    rows = {row.pk: (row.committed, row.ordered, row.paid) for row in response.context["page"]}
    assert rows == {line.pk: from_rows(line), other.pk: from_rows(other)}
    assert response.context["totals"] == {
        "count": 2,
        "total_voted": D("500001.00"),
        "total_committed": D("66001.36"),
        "total_ordered": D("0.00"),
        "total_paid": D("0.00"),
        "total_available": D("433999.64"),
    }
    exhausted = client.get(reverse("budget_line_list") + "?with_available=false")
    assert [row.pk for row in exhausted.context["page"]] == []
    ordered = client.get(reverse("budget_line_list") + "?ordering=-available")
    assert [row.pk for row in ordered.context["page"]] == [line.pk, other.pk]


def test_a_line_written_behind_the_models_back_is_caught_by_the_check_and_refreshed(
    convention, line, finance
):
    commit(convention.grants.get(), line, finance, "EJ-1")
    out = StringIO()
    call_command("refresh_grant_sums", "--check", stdout=out)
    assert "à jour" in out.getvalue()
    BudgetLine.objects.filter(pk=line.pk).update(paid_amount=D("0.01"))
    assert list(stale_budget_lines(BudgetLine.objects.all())) == [line]
    with pytest.raises(CommandError, match=f"1 ligne\\(s\\) budgétaire\\(s\\) .*{line.pk}"):
        call_command("refresh_grant_sums", "--check")
    call_command("refresh_grant_sums", stdout=out)
    assert "lignes budgétaires recalculées ; 1 était à corriger" in out.getvalue()
    assert stored(line) == (D("66000.37"), D("0.00"), D("0.00"))
    # The bulk refresh alone (the scale generator's, after its bulk_create).
    BudgetLine.objects.update(committed_amount=D("0.00"))
    assert refresh_budget_lines(BudgetLine.objects.all()) == 1
    assert not stale_budget_lines(BudgetLine.objects.all()).exists()


def test_the_database_refuses_a_negative_stored_sum(line):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        BudgetLine.objects.filter(pk=line.pk).update(ordered_amount=D("-0.01"))
