"""Factories of aid schemes, campaigns and subsidy requests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from grants.requests.models import AidScheme, Campaign, SubsidyRequest
from grants.requests.rules import Status
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory


class AidSchemeFactory(DjangoModelFactory):
    class Meta:
        model = AidScheme

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Fonctionnement des associations {n}")
    description = "Soutien au fonctionnement général des associations du territoire."
    required_pieces = ["statuts", "rib"]


class CampaignFactory(DjangoModelFactory):
    """A campaign open today, for next year's grants."""

    class Meta:
        model = Campaign

    scheme = factory.SubFactory(AidSchemeFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year + 1)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    envelope = Decimal("100000.00")


class SubsidyRequestFactory(DjangoModelFactory):
    """A draft request of an association of the campaign's authority, by one of its managers."""

    class Meta:
        model = SubsidyRequest

    campaign = factory.SubFactory(CampaignFactory)
    association = factory.LazyAttribute(
        lambda o: AssociationFactory(authority=o.campaign.scheme.authority)
    )
    created_by = factory.LazyAttribute(lambda o: ManagerFactory(associations=[o.association]))
    title = "Fonctionnement général"
    amount_requested = Decimal("15000.00")


def deposited(subsidy_request, status=Status.SUBMITTED, **fields):
    """The request as if deposited (amount, date, CER), in `status`, without going through the
    services: for tests of what comes after."""
    now = timezone.now()
    subsidy_request.status = status
    subsidy_request.submitted_at = subsidy_request.submitted_at or now
    subsidy_request.cer_subscribed_at = subsidy_request.cer_subscribed_at or now
    subsidy_request.cer_subscribed_by = subsidy_request.cer_subscribed_by or (
        subsidy_request.created_by
    )
    subsidy_request.version = max(subsidy_request.version, 1)
    if status in (Status.INSTRUCTED, Status.VOTED) and subsidy_request.proposed_amount is None:
        subsidy_request.proposed_amount = subsidy_request.amount_requested
    for name, value in fields.items():
        setattr(subsidy_request, name, value)
    subsidy_request.save()
    return subsidy_request


def instructed(campaign, *, proposed="15000.00", asked=None, name=None, **fields):
    """An instructed request of a new association of the campaign's authority, with its
    proposed amount and a favourable opinion (for the decision tests)."""
    association = AssociationFactory(
        authority=campaign.scheme.authority, **({"name": name} if name else {})
    )
    request = SubsidyRequestFactory(
        campaign=campaign,
        association=association,
        amount_requested=Decimal(asked or proposed),
        **fields,
    )
    fields.setdefault("opinion", SubsidyRequest.Opinion.FAVORABLE)
    return deposited(
        request,
        status=Status.INSTRUCTED,
        proposed_amount=Decimal(proposed),
        opinion=fields["opinion"],
        opinion_text=fields.get("opinion_text", "Projet solide et budget équilibré."),
    )


# ---- filing: a draft ready to deposit -----------------------------------------------------------


def complete_draft(**kwargs):
    """A draft with every required field, a balanced yearly budget, the attestations, the CER
    box ticked and the scheme's pieces valid in « Mes documents »."""
    from tests.associations.budgets.factories import balanced_budget
    from tests.associations.documents.factories import pieces_for

    subsidy_request = SubsidyRequestFactory(**kwargs)
    campaign = subsidy_request.campaign
    subsidy_request.yearly_budget = balanced_budget(
        association=subsidy_request.association, year=campaign.year
    )
    subsidy_request.representative_name = "Jean DUPONT"
    subsidy_request.contact_name = "Claire MARTIN"
    subsidy_request.description = "Animation du réseau des adhérents."
    subsidy_request.attest_accurate = True
    subsidy_request.attest_obligations = True
    subsidy_request.signatory_name = "Jean DUPONT"
    subsidy_request.draft_data = {"cer_accepted": True}
    subsidy_request.save()
    pieces_for(subsidy_request.association, campaign.scheme.required_pieces)
    return subsidy_request
