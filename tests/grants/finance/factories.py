"""Factories for budget lines, commitments, payments and clawbacks, and the conventions they need.

Conventions are built here with the least the payment rules read (signatures, advance
percentage, grants, forecast budget), so these tests do not depend on the conventions' own
test helpers.
"""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from associations.models import AssociationBudget, AssociationBudgetLine
from conventions.models import Convention, ConventionTemplate, Justificatif
from grants.models import BudgetLine, Clawback, Commitment, Payment, Role
from tests.associations.bank.factories import with_bank_details
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    GrantFactory,
    ManagerFactory,
    UserFactory,
)


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    authority = factory.SubFactory(AuthorityFactory)
    year = 2024
    chapter = "65"
    nature = "65748"
    service_codes = factory.Sequence(lambda n: f"INUM/S{n:04d}")
    label = "Subventions de fonctionnement aux associations"
    voted_credits = Decimal("500000.00")


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = Commitment

    grant = factory.SubFactory(GrantFactory)
    budget_line = factory.SubFactory(
        BudgetLineFactory,
        authority=factory.SelfAttribute("..grant.authority"),
        year=factory.SelfAttribute("..grant.year"),
    )
    number = factory.Sequence(lambda n: f"EJ-{n:06d}")
    date = datetime.date(2024, 7, 1)
    amount = factory.SelfAttribute("grant.amount")


class ConventionTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ConventionTemplate
        django_get_or_create = ["authority", "name", "version"]

    authority = factory.SubFactory(AuthorityFactory)
    name = "Convention annuelle d'objectifs"
    version = 1
    title = "CONVENTION ANNUELLE D'OBJECTIFS"
    signatory_clause = "Sa Présidente en exercice"


class ConventionFactory(DjangoModelFactory):
    """A convention signed by both parties, with one grant (66 000 € by default)."""

    class Meta:
        model = Convention
        skip_postgeneration_save = True

    association = factory.SubFactory(AssociationFactory)
    authority = factory.SelfAttribute("association.authority")
    template = factory.SubFactory(
        ConventionTemplateFactory, authority=factory.SelfAttribute("..authority")
    )
    template_version = 1
    number = factory.Sequence(lambda n: f"CONV-{n:05d}")
    year = 2023
    advance_percentage = Decimal("80.00")
    status = Convention.Status.NOTIFIED
    association_signed_at = datetime.date(2023, 4, 3)
    authority_signed_at = datetime.date(2023, 4, 20)
    notified_at = datetime.date(2023, 4, 25)

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [
                GrantFactory(
                    authority=self.authority,
                    association=self.association,
                    year=self.year,
                    amount=kwargs.get("amount", Decimal("66000.00")),
                )
            ]
        self.grants.set(extracted)
        self.refresh_from_db()

    @factory.post_generation
    def bank_details(self, create, extracted, **kwargs):
        """Validated bank details, so that finance may order its payments (False: none)."""
        if create and extracted is not False:
            with_bank_details(self.association)


def convention_with(amount="66000.00", **kwargs):
    """A signed convention whose single grant is `amount`."""
    convention = ConventionFactory(**kwargs, grants=[])
    grant = GrantFactory(
        authority=convention.authority,
        association=convention.association,
        year=convention.year,
        amount=Decimal(amount),
    )
    convention.grants.set([grant])
    convention.refresh_from_db()
    return convention


def budget_with_charges(association, year, kind, total):
    """An association budget whose charges (60–69) add up to `total` and balance its products."""
    budget = AssociationBudget.objects.create(association=association, year=year, kind=kind)
    AssociationBudgetLine.objects.create(
        budget=budget, account="64", label="Charges de personnel", amount=Decimal(total)
    )
    AssociationBudgetLine.objects.create(
        budget=budget, account="75", label="Cotisations", amount=Decimal(total)
    )
    return budget


def attach_forecast(convention, total="953530.00"):
    convention.forecast_budget = budget_with_charges(
        convention.association, convention.year, AssociationBudget.Kind.FORECAST, total
    )
    convention.save(update_fields=["forecast_budget"])
    return convention.forecast_budget


def accept_required_justificatifs(convention, reviewer=None):
    for kind in convention.required_justificatif_kinds:
        Justificatif.objects.create(
            convention=convention,
            kind=kind,
            file=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test", "application/pdf"),
            status=Justificatif.Status.ACCEPTED,
            reviewed_by=reviewer,
            reviewed_at=timezone.now(),
        )


def manager_of(convention, **kwargs):
    return ManagerFactory(associations=[convention.association], **kwargs)


def instructor_of(authority, **kwargs):
    return UserFactory(role=Role.INSTRUCTOR, authority=authority, **kwargs)


def finance_of(authority, **kwargs):
    return UserFactory(role=Role.FINANCE, authority=authority, **kwargs)


class PaymentFactory(DjangoModelFactory):
    """A payment row as the services leave it (defaults: a requested advance)."""

    class Meta:
        model = Payment

    convention = factory.SubFactory(ConventionFactory)
    kind = Payment.Kind.ADVANCE
    status = Payment.Status.REQUESTED
    amount = Decimal("52800.00")
    requested_at = factory.LazyFunction(timezone.now)
    requested_by = factory.LazyAttribute(lambda p: ManagerFactory(associations=[]))
    signer_name = "Fabien ALLI"
    certification_text = "Je certifie la réalité de la dépense."


class ClawbackFactory(DjangoModelFactory):
    class Meta:
        model = Clawback

    convention = factory.SubFactory(ConventionFactory)
    amount = Decimal("1000.00")
    reason = "Trop-perçu après justification des dépenses"
    title_number = factory.Sequence(lambda n: f"T-{n:05d}")
    title_date = datetime.date(2024, 9, 2)
    amount_due = Decimal("50000.00")
    paid_before = Decimal("52800.00")
    recorded_at = factory.LazyFunction(timezone.now)
    recorded_by = factory.LazyAttribute(
        lambda c: UserFactory(role=Role.FINANCE, authority=c.convention.authority)
    )
