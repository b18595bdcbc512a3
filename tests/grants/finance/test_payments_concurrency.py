"""Two payment requests arriving at once never exceed the amount due (row locks).

Run on PostgreSQL, with two real connections in two threads. On SQLite there are no row locks
(select_for_update() is a no-op and the whole database is locked by each writer), so the race
this test provokes cannot happen the same way there.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from grants.finance import services
from grants.models import Payment
from tests.grants.finance.factories import (
    accept_required_justificatifs,
    attach_forecast,
    convention_with,
    manager_of,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself",
    ),
]


def test_an_advance_and_a_balance_requested_at_once_never_exceed_the_amount_due(monkeypatch):
    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    accept_required_justificatifs(convention)
    manager = manager_of(convention)

    # Widen the race window: each request waits after reading the sums, before inserting.
    # Without the lock on the convention row, both would read "nothing requested yet".
    read_sums = services.convention_finances

    def slow_finances(*args, **kwargs):
        result = read_sums(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "convention_finances", slow_finances)

    barrier = threading.Barrier(2)
    outcomes = {}

    def request(kind, **kwargs):
        try:
            barrier.wait()
            payment = services.payment_request(
                convention=convention,
                user=manager,
                kind=kind,
                signer_name="Fabien ALLI",
                certified=True,
                **kwargs,
            )
            outcomes[kind] = payment.amount
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes[kind] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=request, args=(Payment.Kind.ADVANCE,), kwargs={"amount": Decimal("52800.00")}
        ),
        threading.Thread(
            target=request,
            args=(Payment.Kind.BALANCE,),
            kwargs={"realised_expenses": Decimal("953530.00")},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    errors = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert all(isinstance(e, ValidationError) for e in errors), errors
    total = Payment.objects.filter(convention=convention).aggregate(total=Sum("amount"))["total"]
    assert total <= Decimal("66000.00")
    advance, balance = outcomes[Payment.Kind.ADVANCE], outcomes[Payment.Kind.BALANCE]
    if isinstance(advance, ValidationError):
        # The balance went first and took the whole amount due.
        assert balance == Decimal("66000.00")
    else:
        # The advance went first; the balance is what remains.
        assert (advance, balance) == (Decimal("52800.00"), Decimal("13200.00"))
    assert total == Decimal("66000.00")


def test_two_payments_ordered_at_once_on_one_line_both_count_in_its_stored_sums(monkeypatch):
    """Two mandats on two commitments of one budget line, at once: each refresh of the line's
    stored ordered sum waits for the other's transaction (the line is locked first), so neither
    writes a sum that misses the other's payment."""
    from django.utils import timezone

    from grants.finance import models as finance_models
    from grants.finance.sums import stale_budget_lines
    from grants.models import BudgetLine
    from tests.grants.finance.factories import (
        BudgetLineFactory,
        CommitmentFactory,
        finance_of,
        instructor_of,
    )

    first = convention_with("66000.00")
    second = convention_with("40000.00", authority=first.authority, year=first.year)
    line = BudgetLineFactory(authority=first.authority, year=first.year)
    instructor, finance = instructor_of(first.authority), finance_of(first.authority)
    payments = []
    for convention, amount in ((first, "52800.00"), (second, "32000.00")):
        CommitmentFactory(grant=convention.grants.get(), budget_line=line)
        payment = services.payment_request(
            convention=convention,
            user=manager_of(convention),
            kind=Payment.Kind.ADVANCE,
            amount=Decimal(amount),
            signer_name="Fabien ALLI",
            certified=True,
        )
        payments.append(services.payment_certify(payment, instructor))

    # Widen the race window: each order waits after refreshing the line, before committing.
    refresh = finance_models.refresh_budget_lines_of_commitments

    def slow_refresh(*args, **kwargs):
        refresh(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(finance_models, "refresh_budget_lines_of_commitments", slow_refresh)
    barrier = threading.Barrier(2)
    outcomes = {}

    def order(number, payment):
        try:
            barrier.wait()
            services.payment_order(payment, finance, number=number, date=timezone.localdate())
            outcomes[number] = "ok"
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes[number] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=order, args=(f"M-{i}", payment))
        for i, payment in enumerate(payments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {"M-0": "ok", "M-1": "ok"}
    line.refresh_from_db()
    assert line.ordered_amount == Decimal("84800.00")
    assert not stale_budget_lines(BudgetLine.objects.all()).exists()


def test_an_advance_and_a_balance_paid_at_once_both_count_in_the_grants_paid_sum(monkeypatch):
    """The advance and the balance of one grant recorded as paid at once: each refresh of the
    grant's stored paid amount waits for the other's transaction (the grant is locked first)."""
    from django.utils import timezone

    from grants.finance import models as finance_models
    from grants.finance.sums import stale_grants
    from grants.models import Grant
    from tests.grants.finance.factories import CommitmentFactory, finance_of, instructor_of

    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    accept_required_justificatifs(convention)
    grant = convention.grants.get()
    CommitmentFactory(grant=grant, amount=Decimal("66000.00"))
    manager = manager_of(convention)
    instructor, finance = instructor_of(convention.authority), finance_of(convention.authority)
    today = timezone.localdate()
    payments = []
    for index, (kind, kwargs) in enumerate(
        (
            (Payment.Kind.ADVANCE, {"amount": Decimal("52800.00")}),
            (Payment.Kind.BALANCE, {"realised_expenses": Decimal("953530.00")}),
        )
    ):
        payment = services.payment_request(
            convention=convention,
            user=manager,
            kind=kind,
            signer_name="Fabien ALLI",
            certified=True,
            **kwargs,
        )
        services.payment_certify(payment, instructor)
        payments.append(services.payment_order(payment, finance, number=f"M-{index}", date=today))

    refresh = finance_models.refresh_grants_of_commitments

    def slow_refresh(*args, **kwargs):
        refresh(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(finance_models, "refresh_grants_of_commitments", slow_refresh)
    barrier = threading.Barrier(2)
    outcomes = {}

    def pay(payment):
        try:
            barrier.wait()
            services.payment_record_paid(payment, finance, date=today)
            outcomes[payment.kind] = "ok"
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes[payment.kind] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(payment,)) for payment in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {Payment.Kind.ADVANCE: "ok", Payment.Kind.BALANCE: "ok"}
    grant.refresh_from_db()
    assert grant.paid_amount == Decimal("66000.00")
    assert not stale_grants(Grant.objects.all()).exists()
