"""Known data for the dashboards: grants in every state, with commitments, paid payments and
justificatifs, for one authority and a second one that must never be counted."""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from associations.models import StructureType, ThematicDomain
from conventions.models import Justificatif
from grants.models import Payment, Role
from tests.deliberations.factories import BodyFactory, DeliberationFactory, SessionFactory
from tests.factories import AssociationFactory, AuthorityFactory, GrantFactory, UserFactory
from tests.grants.finance.factories import (
    BudgetLineFactory,
    CommitmentFactory,
    ConventionFactory,
    PaymentFactory,
)

_days = itertools.count()


def _session(authority):
    """A new session of the authority's bureau (one per day: sessions are unique per date)."""
    date = datetime.date(2024, 1, 1) + datetime.timedelta(days=next(_days))
    return SessionFactory(
        body=BodyFactory(authority=authority),
        date=date,
        convocation_date=date - datetime.timedelta(days=5),
    )


def adopted(authority, **kwargs):
    """A deliberation voted (for > against) at a session of the authority's bureau."""
    return DeliberationFactory(
        authority=authority, session=_session(authority), votes_for=10, **kwargs
    )


def rejected(authority):
    session = _session(authority)
    return DeliberationFactory(authority=authority, session=session, votes_for=1, votes_against=9)


def draft(authority):
    return DeliberationFactory(authority=authority)


def grant(association, year, amount, deliberation=None, scheme="", **kwargs):
    return GrantFactory(
        association=association,
        authority=association.authority,
        year=year,
        amount=Decimal(amount),
        deliberation=deliberation,
        aid_scheme_label=scheme,
        **kwargs,
    )


def commit(grant_, line, amount=None):
    return CommitmentFactory(
        grant=grant_, budget_line=line, amount=Decimal(amount or grant_.amount)
    )


def convention_of(grant_):
    return ConventionFactory(association=grant_.association, year=grant_.year, grants=[grant_])


def payment(convention, commitment, amount, *, status=Payment.Status.PAID, paid_date=None,
            kind=Payment.Kind.ADVANCE, amount_due=None):  # fmt: skip
    """A payment ordered on `commitment` (and paid on `paid_date` when status is « payé »)."""
    authority = convention.authority
    certifier = UserFactory(role=Role.INSTRUCTOR, authority=authority)
    orderer = UserFactory(role=Role.FINANCE, authority=authority)
    order_date = paid_date or datetime.date(convention.year, 6, 1)
    return PaymentFactory(
        convention=convention,
        kind=kind,
        status=status,
        amount=Decimal(amount),
        amount_due=Decimal(amount_due) if amount_due else None,
        certified_at=timezone.now(),
        certified_by=certifier,
        commitment=commitment,
        order_number=f"M-{commitment.number}-{kind}",
        order_date=order_date,
        ordered_by=orderer,
        paid_date=paid_date if status == Payment.Status.PAID else None,
    )


def justificatif(convention, kind, due_date, status=Justificatif.Status.SUBMITTED):
    reviewed = status != Justificatif.Status.SUBMITTED
    return Justificatif.objects.create(
        convention=convention,
        kind=kind,
        file=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test", "application/pdf"),
        due_date=due_date,
        status=status,
        rejection_reason="Illisible" if status == Justificatif.Status.REJECTED else "",
        reviewed_at=timezone.now() if reviewed else None,
    )


@dataclass
class KnownData:
    authority: object
    other: object
    culture_grant: object
    budget_line: object
    conventions: list


def known_data():
    """Authority A, 2023–2024:
    - « Culture » 2024: 10 000,10 € voted (association X: domains Culture and Jeunesse, type
      « Association culturelle »), committed in full, 8 000,08 € paid (a 2 000,02 € balance is
      ordered, not paid); 5 000,55 € proposed (draft deliberation, association Y: Culture,
      « Club sportif »);
    - no scheme 2024: 1 234,56 € proposed (no deliberation, association Y);
    - « Sport » 2023: 7 777,77 € voted (association Z: no domain, no type), committed and paid;
    - 999,99 € of 2024 whose deliberation was rejected: counted nowhere.
    Authority B: 50 000 € voted and paid in « Culture » 2024, never counted for A."""
    authority = AuthorityFactory(name="Métropole A")
    culture = ThematicDomain.objects.create(name="Culture")
    youth = ThematicDomain.objects.create(name="Jeunesse")
    x = AssociationFactory(
        authority=authority,
        name="Association X",
        structure_type=StructureType.objects.create(name="Association culturelle"),
    )
    x.domains.set([culture, youth])
    y = AssociationFactory(
        authority=authority,
        name="Association Y",
        structure_type=StructureType.objects.create(name="Club sportif"),
    )
    y.domains.set([culture])
    z = AssociationFactory(authority=authority, name="Association Z", structure_type=None)

    line = BudgetLineFactory(authority=authority, year=2024, voted_credits=Decimal("100000.00"))
    line_2023 = BudgetLineFactory(authority=authority, year=2023, voted_credits=Decimal("20000.00"))

    g1 = grant(x, 2024, "10000.10", adopted(authority), "Culture")
    c1 = commit(g1, line)
    conv1 = convention_of(g1)
    payment(conv1, c1, "8000.08", paid_date=datetime.date(2024, 3, 15))
    payment(
        conv1,
        c1,
        "2000.02",
        status=Payment.Status.ORDERED,
        kind=Payment.Kind.BALANCE,
        amount_due="2000.02",
    )
    grant(y, 2024, "5000.55", draft(authority), "Culture")
    grant(y, 2024, "1234.56")
    g4 = grant(z, 2023, "7777.77", adopted(authority), "Sport")
    c4 = commit(g4, line_2023)
    conv4 = convention_of(g4)
    payment(conv4, c4, "7777.77", paid_date=datetime.date(2023, 11, 2))
    grant(x, 2024, "999.99", rejected(authority), "Culture")

    other = AuthorityFactory(name="Métropole B")
    w = AssociationFactory(authority=other, name="Association W")
    w.domains.set([culture])
    g6 = grant(w, 2024, "50000.00", adopted(other), "Culture")
    c6 = commit(g6, BudgetLineFactory(authority=other, year=2024))
    conv6 = convention_of(g6)
    payment(conv6, c6, "50000.00", paid_date=datetime.date(2024, 3, 20))
    justificatif(conv6, Justificatif.Kind.RAPPORT_ACTIVITE, datetime.date(2025, 6, 30))

    return KnownData(authority, other, g1, line, [conv1, conv4])
