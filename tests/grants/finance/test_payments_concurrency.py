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
