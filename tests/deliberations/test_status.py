import datetime

import pytest
from django.db import IntegrityError, transaction

from deliberations.models import Deliberation
from tests.deliberations.factories import DeliberationFactory, adopted_deliberation, make_session

pytestmark = pytest.mark.django_db
Status = Deliberation.Status
JUNE_21 = datetime.date(2024, 6, 21)


def test_a_deliberation_without_session_or_vote_is_a_draft():
    assert DeliberationFactory().status == Status.DRAFT
    deliberation = DeliberationFactory(session=make_session(in_office=4, present=3, proxies=0))
    assert deliberation.status == Status.DRAFT and not deliberation.is_adopted


def test_status_follows_the_dates_from_adopted_to_executory():
    deliberation = adopted_deliberation(make_session(in_office=4, present=3, proxies=0))
    assert deliberation.status == Status.ADOPTED and not deliberation.is_executory

    deliberation.prefecture_received_on = JUNE_21
    deliberation.save()
    assert deliberation.status == Status.TRANSMITTED and deliberation.executory_date is None

    deliberation.published_on = datetime.date(2024, 6, 24)
    deliberation.save()
    assert deliberation.status == Status.EXECUTORY and deliberation.is_executory
    assert deliberation.executory_date == datetime.date(2024, 6, 24)
    assert Deliberation.objects.get(pk=deliberation.pk).status == Status.EXECUTORY


def test_published_before_transmission_is_published_not_executory():
    deliberation = adopted_deliberation(make_session(in_office=4, present=3, proxies=0))
    deliberation.published_on = JUNE_21
    deliberation.save(update_fields=["published_on"])
    assert Deliberation.objects.get(pk=deliberation.pk).status == Status.PUBLISHED
    assert not deliberation.is_executory


def test_a_majority_against_rejects():
    session = make_session(in_office=4, present=3, proxies=0)
    deliberation = adopted_deliberation(session, votes_for=1, votes_against=2)
    assert deliberation.status == Status.REJECTED and not deliberation.is_adopted
    deliberation.prefecture_received_on = JUNE_21
    deliberation.published_on = JUNE_21
    deliberation.save()
    assert deliberation.status == Status.REJECTED and not deliberation.is_executory


def test_unanimity_is_derived():
    session = make_session(in_office=68, present=51, proxies=9)
    assert adopted_deliberation(session, votes_for=60).is_unanimous
    assert not adopted_deliberation(session, votes_for=59, abstentions=1).is_unanimous


def test_number_is_unique_per_authority_only():
    first = DeliberationFactory(number="2024.00344")
    DeliberationFactory(number="2024.00344")  # another authority
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliberationFactory(number="2024.00344", authority=first.authority)


def test_votes_against_without_votes_for_are_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliberationFactory(votes_for=None, votes_against=3)
