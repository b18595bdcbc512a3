"""Two requests for the versement unique arriving at once: one is recorded, the other gets a
French message (the grant row is locked; the partial unique constraint is the last lock).

Run on PostgreSQL, with two real connections in two threads (SQLite has no row locks)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from grants.models import Payment
from grants.smallgrants import services
from tests.grants.smallgrants.factories import people, small_grant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself",
    ),
]


def test_two_single_payments_requested_at_once(monkeypatch, fake_letter):
    grant = small_grant()
    p = people(grant.authority, grant.association)
    services.letter_generate(grant=grant, user=p["instructor"])

    # Widen the race window: each request waits after its checks, before inserting.
    check = services.single_payment_blockers

    def slow_blockers(*args, **kwargs):
        result = check(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "single_payment_blockers", slow_blockers)
    barrier = threading.Barrier(2)
    outcomes = {}

    def request(name):
        try:
            barrier.wait()
            payment = services.single_payment_request(
                grant=grant, user=p[name], signer_name="Marie MARTIN", certified=True
            )
            outcomes[name] = payment.amount
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(n,)) for n in ("manager", "instructor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    errors = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    assert "déjà été demandé" in " ".join(errors[0].messages)
    assert Payment.objects.filter(grant=grant).count() == 1
