"""Factories for the conventions app (and a small forecast budget helper)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from associations.budgets.chart import Side
from associations.models import AssociationBudget, AssociationBudgetLine
from conventions.models import Convention, ConventionTemplate, Justificatif, TemplateSection
from tests.factories import AssociationFactory, GrantFactory


class ConventionTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ConventionTemplate
        skip_postgeneration_save = True

    authority = factory.SubFactory("tests.factories.AuthorityFactory")
    name = factory.Sequence(lambda n: f"Modèle {n}")
    title = "CONVENTION ANNUELLE D'OBJECTIFS\nSUBVENTION DE FONCTIONNEMENT GLOBAL"
    signatory_clause = "Sa Présidente, par délibération en date du {{ deliberation_date }}"
    signature_place = "Marseille"

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if not create:
            return
        rows = extracted or [
            (0, "", "PRÉAMBULE", "Préambule de {{ authority.name }}."),
            (1, "1", "OBJET", "{{ objectives }}"),
            (1, "4", "BUDGET ET PARTICIPATION", ""),
            (2, "4.2", "Participation", "Montant : {{ amount }} ({{ amount_in_words }}), "
             "{{ share_excluding_contributions }} hors contributions, "
             "{{ share_including_contributions }} contributions comprises."),
        ]  # fmt: skip
        for position, (level, number, title, body) in enumerate(rows, 1):
            TemplateSection.objects.create(
                template=self, position=position, level=level, number=number, title=title,
                body=body,
            )  # fmt: skip


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention
        skip_postgeneration_save = True

    association = factory.SubFactory(AssociationFactory)
    authority = factory.SelfAttribute("association.authority")
    template = factory.SubFactory(
        ConventionTemplateFactory, authority=factory.SelfAttribute("..authority")
    )
    template_version = 1
    year = 2024
    number = factory.Sequence(lambda n: f"C-{n:05d}")
    advance_percentage = Decimal("80.00")
    status = Convention.Status.DRAFT
    objectives = "- Animer l'écosystème"

    @factory.post_generation
    def grants(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [
                GrantFactory(association=self.association, authority=self.authority, year=self.year)
            ]
        self.grants.set(extracted)
        self.refresh_from_db()


def signed(convention, when=datetime.date(2024, 7, 1)):
    """Put a convention in the 'signed by both parties' state directly (test set-up)."""
    Convention.objects.filter(pk=convention.pk).update(
        status=Convention.Status.SIGNED_AUTHORITY,
        association_signed_at=when,
        authority_signed_at=when,
    )
    convention.refresh_from_db()
    return convention


def forecast_budget(association, year=2024, charges=Decimal("100000"), public=Decimal("0"),
                    contributions=Decimal("0"), printed_total_charges=None):  # fmt: skip
    """A balanced forecast budget: one charge line, public subsidies + own resources, and
    optional voluntary contributions (86 = 87)."""
    budget = AssociationBudget.objects.create(
        association=association, year=year, kind=AssociationBudget.Kind.FORECAST,
        printed_total_charges=printed_total_charges,
    )  # fmt: skip
    lines = [(Side.CHARGE, "641", "Rémunération des personnels", charges, False)]
    if public:
        lines.append((Side.PRODUCT, "7401", "Subvention publique", public, True))
    if charges - public > 0:
        lines.append((Side.PRODUCT, "756", "Cotisations", charges - public, False))
    if contributions:
        lines.append((Side.CONTRIBUTION_USE, "864", "Personnel bénévole", contributions, False))
        lines.append((Side.CONTRIBUTION, "875", "Bénévolat", contributions, False))
    for position, (side, account, label, amount, is_public) in enumerate(lines):
        AssociationBudgetLine.objects.create(
            budget=budget, side=side, account=account, label=label, amount=amount,
            is_public=is_public, position=position,
        )  # fmt: skip
    return budget


class JustificatifFactory(DjangoModelFactory):
    class Meta:
        model = Justificatif

    convention = factory.SubFactory(ConventionFactory)
    kind = Justificatif.Kind.COMPTES_ANNUELS
    file = factory.django.FileField(filename="comptes.pdf", data=b"%PDF-1.4 test")
    content_type = "application/pdf"
    status = Justificatif.Status.SUBMITTED
    reviewed_at = factory.LazyAttribute(
        lambda o: None if o.status == Justificatif.Status.SUBMITTED else timezone.now()
    )


def signable(convention, *, executory=True):
    """Give a convention what its signature needs (readiness checklist): an adopted deliberation
    (executory unless told otherwise) and a balanced forecast budget whose line for the authority
    equals the grants."""
    from deliberations.models import Deliberation
    from tests.deliberations.factories import DeliberationFactory, SessionFactory

    session = SessionFactory(body__authority=convention.authority)
    deliberation = DeliberationFactory(
        authority=convention.authority,
        session=session,
        votes_for=10,
        prefecture_received_on=datetime.date(2024, 6, 21) if executory else None,
        published_on=datetime.date(2024, 6, 21) if executory else None,
    )
    assert deliberation.status == (
        Deliberation.Status.EXECUTORY if executory else Deliberation.Status.ADOPTED
    )
    budget = forecast_budget(
        convention.association, year=convention.year, charges=convention.amount * 2,
        public=convention.amount,
    )  # fmt: skip
    budget.lines.filter(is_public=True).update(authority=convention.authority)
    Convention.objects.filter(pk=convention.pk).update(
        deliberation=deliberation, forecast_budget=budget
    )
    convention.refresh_from_db()
    return convention
