"""Set-up shared by the small-grant tests: an authority, a light deliberation that is executory
(or not yet), a grant of 23 000 € or less, its commitment, and the people who act on it."""

import datetime
from decimal import Decimal

from deliberations.models import Deliberation
from grants.models import Role
from tests.associations.bank.factories import with_bank_details
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    GrantFactory,
    ManagerFactory,
    UserFactory,
)
from tests.grants.finance.factories import BudgetLineFactory, CommitmentFactory

SESSION_DATE = datetime.date(2024, 6, 13)
AMP_SIREN = "200054807"


def authority(**kwargs):
    kwargs.setdefault("name", "Métropole Aix-Marseille-Provence")
    kwargs.setdefault("siren", AMP_SIREN)
    kwargs.setdefault("department_code", "013")
    kwargs.setdefault("city", "Marseille")
    return AuthorityFactory(**kwargs)


def actes_identifier(auth, date=SESSION_DATE, number="D2024001"):
    return f"{auth.department_code}-{auth.siren}-{date:%Y%m%d}-{number}-DE"


def light_deliberation(auth, *, executory=True, number="2024.001", **kwargs):
    fields = {
        "authority": auth,
        "kind": Deliberation.Kind.LIGHT,
        "number": number,
        "title": "Attribution de subventions aux associations",
        "body_name": "Conseil métropolitain",
        "session_date": SESSION_DATE,
        "votes_for": 80,
        "votes_against": 2,
        "abstentions": 1,
    }
    if executory:
        fields.update(
            prefecture_received_on=SESSION_DATE + datetime.timedelta(days=3),
            actes_identifier=actes_identifier(auth, number=number.replace(".", "")),
            published_on=SESSION_DATE + datetime.timedelta(days=4),
        )
    fields.update(kwargs)
    return Deliberation.objects.create(**fields)


def small_grant(auth=None, *, amount="8000.00", executory=True, specific_expense=False, **kw):
    auth = auth or authority()
    association = kw.pop("association", None) or AssociationFactory(
        authority=auth, name="Les Petits Débrouillards"
    )
    deliberation = kw.pop("deliberation", None)
    if deliberation is None:
        # A second grant of the same authority is decided by the same deliberation.
        deliberation = Deliberation.objects.filter(authority=auth, number="2024.001").first()
        deliberation = deliberation or light_deliberation(auth, executory=executory)
    with_bank_details(association)  # so that finance may order its payment
    return GrantFactory(
        association=association,
        authority=auth,
        deliberation=deliberation,
        amount=Decimal(amount),
        year=2024,
        object="Ateliers scientifiques dans les quartiers",
        specific_expense=specific_expense,
        **kw,
    )


def commit(grant):
    line = BudgetLineFactory(authority=grant.authority, year=grant.year)
    return CommitmentFactory(grant=grant, budget_line=line, amount=grant.amount)


def people(auth, association):
    return {
        "instructor": UserFactory(role=Role.INSTRUCTOR, authority=auth, first_name="Inès"),
        "other_instructor": UserFactory(role=Role.INSTRUCTOR, authority=auth),
        "finance": UserFactory(role=Role.FINANCE, authority=auth, first_name="Fanny"),
        "manager": ManagerFactory(associations=[association]),
        "other_manager": ManagerFactory(associations=[AssociationFactory(authority=auth)]),
        "foreign_instructor": UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory()),
        "foreign_finance": UserFactory(role=Role.FINANCE, authority=AuthorityFactory()),
    }
