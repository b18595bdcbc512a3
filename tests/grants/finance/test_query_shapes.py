"""Rewritten queries (for speed at scale) return the same rows and sums as the plain ones."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from conventions.models import Convention
from grants.finance.models import sum_subquery
from grants.models import BudgetLine, Commitment, Payment
from tests.factories import GrantFactory, ManagerFactory
from tests.grants.finance.factories import (
    BudgetLineFactory,
    CommitmentFactory,
    PaymentFactory,
    convention_with,
    finance_of,
    instructor_of,
)

D = Decimal
pytestmark = pytest.mark.django_db


def plain_consumption(lines):
    """Per line, the committed, ordered and paid sums over its commitments and payments (the
    correlated subqueries the stored sums replace)."""
    payments = Payment.objects.filter(commitment__budget_line=OuterRef("pk"))
    return {
        row.pk: (row.plain_committed, row.plain_ordered, row.plain_paid)
        for row in lines.annotate(
            plain_committed=sum_subquery(Commitment.objects.filter(budget_line=OuterRef("pk"))),
            plain_ordered=sum_subquery(payments.filter(status__in=Payment.ORDERED_STATUSES)),
            plain_paid=sum_subquery(payments.filter(status=Payment.Status.PAID)),
        )
    }


def test_the_lines_stored_sums_and_totals_row_equal_the_plain_sums_over_the_rows():
    line = BudgetLineFactory(year=2024, voted_credits=D("500000.00"))
    other = BudgetLineFactory(authority=line.authority, year=2024, voted_credits=D("1000.00"))
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("62500.00"))
    commitment = CommitmentFactory(grant=grant, budget_line=line)
    convention = convention_with("62500.00", association=grant.association, year=2024)
    convention.grants.set([grant])
    user, certifier = finance_of(line.authority), instructor_of(line.authority)
    base = {"convention": convention, "certified_by": certifier, "certified_at": timezone.now()}
    PaymentFactory(
        **base,
        status=Payment.Status.PAID,
        amount=D("50000.00"),
        commitment=commitment,
        order_number="M1",
        order_date=datetime.date(2024, 8, 1),
        ordered_by=user,
        paid_date=datetime.date(2024, 8, 8),
    )
    PaymentFactory(
        **base,
        kind=Payment.Kind.BALANCE,
        amount_due=D("62500.00"),
        status=Payment.Status.ORDERED,
        amount=D("12400.00"),
        commitment=commitment,
        order_number="M2",
        order_date=datetime.date(2024, 9, 1),
        ordered_by=user,
    )
    lines = BudgetLine.objects.filter(pk__in=[line.pk, other.pk])
    rows = {row.pk: (row.committed, row.ordered, row.paid) for row in lines.with_consumption()}
    assert rows == plain_consumption(lines)
    assert rows[line.pk] == (D("62500.00"), D("62400.00"), D("50000.00"))
    assert rows[other.pk] == (D("0.00"), D("0.00"), D("0.00"))
    totals = lines.consumption_totals()
    assert totals == {
        "count": 2,
        "total_voted": D("501000.00"),
        "total_committed": D("62500.00"),
        "total_ordered": D("62400.00"),
        "total_paid": D("50000.00"),
        "total_available": D("438500.00"),
    }
    assert BudgetLine.objects.none().consumption_totals() == {
        "count": 0,
        "total_voted": None,
        "total_committed": None,
        "total_ordered": None,
        "total_paid": None,
        "total_available": None,
    }


def test_a_manager_sees_the_payments_of_their_conventions_and_single_payments_only():
    mine = convention_with("66000.00")
    manager = ManagerFactory(associations=[mine.association])
    by_convention = PaymentFactory(convention=mine)
    small = GrantFactory(authority=mine.authority, association=mine.association, amount=D("9000"))
    single = PaymentFactory(
        convention=None,
        grant=small,
        kind=Payment.Kind.SINGLE,
        amount=D("9000.00"),
        amount_due=D("9000.00"),
    )
    draft = convention_with("40000.00", association=mine.association, year=2024)
    Convention.objects.filter(pk=draft.pk).update(status=Convention.Status.DRAFT)
    PaymentFactory(convention=draft)
    stranger = convention_with("50000.00", authority=mine.authority)
    PaymentFactory(convention=stranger)
    other_small = GrantFactory(authority=mine.authority, amount=D("8000.00"))
    PaymentFactory(
        convention=None,
        grant=other_small,
        kind=Payment.Kind.SINGLE,
        amount=D("8000.00"),
        amount_due=D("8000.00"),
    )
    seen = Payment.objects.visible_to(manager).order_by("pk")
    assert list(seen) == [by_convention, single]
    assert seen.count() == 2
    assert list(Payment.objects.visible_to(ManagerFactory(associations=[]))) == []
