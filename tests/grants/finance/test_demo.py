"""The finance demo loader: lines, commitments and the SCS advance, idempotent and partial-safe."""

import io
from decimal import Decimal

import pytest

from grants.finance.demo import load_finance
from grants.models import BudgetLine, Commitment, Payment, Role
from tests.factories import AuthorityFactory, GrantFactory, UserFactory
from tests.grants.finance.factories import convention_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def context():
    amp = AuthorityFactory(name="Métropole Aix-Marseille-Provence")
    sem = AuthorityFactory(name="Saint-Étienne Métropole")
    scs = convention_with("66000.00", association__authority=amp, year=2023)
    minalogic = convention_with("62500.00", association__authority=sem, year=2024)
    UserFactory(username="asso-scs", role=Role.MANAGER, authority=None)
    UserFactory(username="instructeur", role=Role.INSTRUCTOR, authority=amp)
    UserFactory(username="financier", role=Role.FINANCE, authority=amp)
    return {
        "authorities": {"amp": amp, "sem": sem},
        "convention_scs": scs,
        "convention_minalogic": minalogic,
    }


def test_the_demo_loads_the_lines_the_commitments_and_the_paid_scs_advance(context):
    out = io.StringIO()
    result = load_finance(out, context)
    load_finance(out, context)  # idempotent
    sem_line = BudgetLine.objects.get(authority=context["authorities"]["sem"])
    assert (sem_line.year, sem_line.imputation) == (2024, "INUM/SUFLI/65748")
    assert BudgetLine.objects.get(authority=context["authorities"]["amp"]).year == 2023
    assert Commitment.objects.count() == 2
    advance = Payment.objects.get()
    assert advance == result["payment_scs_advance"]
    assert (advance.convention, advance.kind, advance.status, advance.amount) == (
        context["convention_scs"],
        Payment.Kind.ADVANCE,
        Payment.Status.PAID,
        Decimal("52800.00"),
    )
    assert advance.certified_by != advance.ordered_by
    assert not context["convention_minalogic"].payments.exists()
    assert "en attente de la demande d'acompte" in out.getvalue()


def test_the_demo_skips_what_earlier_loaders_did_not_provide():
    sem = AuthorityFactory()
    GrantFactory(authority=sem, year=2024)
    out = io.StringIO()
    result = load_finance(out, {"authorities": {"sem": sem}})
    assert list(result["budget_lines"]) == ["sem"]
    assert not Payment.objects.exists()
    assert load_finance(io.StringIO(), {}) == {"budget_lines": {}}
