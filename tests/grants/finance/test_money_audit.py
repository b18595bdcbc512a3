"""Every money step writes its audit row (simple-history) in its own transaction: a crash after
the write leaves neither the money row nor the audit row."""

from decimal import Decimal

import pytest
from django.db.models.signals import post_save
from django.utils import timezone

from grants.finance import services
from grants.models import Payment
from tests.grants.finance.factories import (
    BudgetLineFactory,
    CommitmentFactory,
    accept_required_justificatifs,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


class Crash(Exception):
    pass


@pytest.fixture
def convention():
    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    return convention


@pytest.fixture
def people(convention):
    return {
        "manager": manager_of(convention),
        "instructor": instructor_of(convention.authority),
        "finance": finance_of(convention.authority),
    }


def commit(convention, people):
    grant = convention.grants.get()
    line = BudgetLineFactory(authority=grant.authority, year=grant.year)
    return services.grant_commit(
        grant=grant,
        budget_line=line,
        number="EJ-1",
        date=timezone.localdate(),
        user=people["finance"],
    )


def request_advance(convention, people):
    return services.payment_request(
        convention=convention,
        user=people["manager"],
        kind=Payment.Kind.ADVANCE,
        amount=D("52800.00"),
        signer_name="Fabien ALLI",
        certified=True,
    )


def certified(convention, people):
    CommitmentFactory(grant=convention.grants.get())
    payment = request_advance(convention, people)
    return services.payment_certify(payment, people["instructor"])


def ordered(convention, people):
    payment = certified(convention, people)
    return services.payment_order(
        payment, people["finance"], number="M-1", date=timezone.localdate()
    )


def paid(convention, people):
    return services.payment_record_paid(
        ordered(convention, people), people["finance"], date=timezone.localdate()
    )


# (step, the setup before it, the step itself)
STEPS = {
    "engagement": (lambda c, p: None, lambda c, p, _: commit(c, p)),
    "demande": (
        lambda c, p: CommitmentFactory(grant=c.grants.get()),
        lambda c, p, _: request_advance(c, p),
    ),
    "service fait": (
        lambda c, p: (CommitmentFactory(grant=c.grants.get()), request_advance(c, p))[1],
        lambda c, p, payment: services.payment_certify(payment, p["instructor"]),
    ),
    "mandat": (
        certified,
        lambda c, p, payment: services.payment_order(
            payment, p["finance"], number="M-1", date=timezone.localdate()
        ),
    ),
    "paiement": (
        ordered,
        lambda c, p, payment: services.payment_record_paid(
            payment, p["finance"], date=timezone.localdate()
        ),
    ),
    "reversement": (
        lambda c, p: (paid(c, p), accept_required_justificatifs(c)),
        lambda c, p, _: services.clawback_record(
            convention=c,
            user=p["finance"],
            amount=D("26400.00"),
            reason="Dépenses réalisées inférieures au prévisionnel",
            title_number="T-2024-118",
            title_date=timezone.localdate(),
            realised_expenses=D("381412.00"),
        ),
    ),
}


def money_state():
    from grants.models import Clawback, Commitment

    return {
        "commitments": list(Commitment.objects.values_list("pk", "number", "amount")),
        "payments": list(Payment.objects.values_list("pk", "status", "amount", "order_number")),
        "clawbacks": list(Clawback.objects.values_list("pk", "amount", "title_number")),
        "history": (
            Commitment.history.count(),
            Payment.history.count(),
            Clawback.history.count(),
        ),
    }


@pytest.mark.parametrize("step", list(STEPS))
def test_each_money_step_writes_its_audit_row(convention, people, step):
    prepare, run = STEPS[step]
    before = prepare(convention, people)
    counts = money_state()["history"]
    row = run(convention, people, before)
    after = money_state()["history"]
    assert sum(after) == sum(counts) + 1, step
    record = type(row).history.filter(id=row.pk).latest("history_date")
    assert record.instance.amount == row.amount


@pytest.mark.parametrize("step", list(STEPS))
def test_a_crash_after_the_write_leaves_no_money_row_and_no_audit_row(convention, people, step):
    from grants.models import Clawback, Commitment

    prepare, run = STEPS[step]
    before = prepare(convention, people)
    state = money_state()

    def crash(sender, **kwargs):
        raise Crash("after the write")

    # Connected after simple-history's receiver: the money row and its audit row are written.
    for model in (Commitment, Payment, Clawback):
        post_save.connect(crash, sender=model, dispatch_uid="crash")
    try:
        with pytest.raises(Crash):
            run(convention, people, before)
    finally:
        for model in (Commitment, Payment, Clawback):
            post_save.disconnect(sender=model, dispatch_uid="crash")
    assert money_state() == state
