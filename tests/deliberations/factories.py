"""Factories for the deliberations app, and a helper building a session with a given attendance."""

import datetime

import factory
from factory.django import DjangoModelFactory

from deliberations.models import Attendance, Body, Decision, Deliberation, Member, Session
from tests.factories import AuthorityFactory

SESSION_DATE = datetime.date(2024, 6, 13)


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ["authority", "name"]

    authority = factory.SubFactory(AuthorityFactory)
    kind = Body.Kind.BUREAU
    name = "Bureau métropolitain"


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    body = factory.SubFactory(BodyFactory)
    civility = factory.Iterator(["M.", "Mme"])
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"MEMBRE{n:03d}")
    mandate_start = datetime.date(2020, 7, 15)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    body = factory.SubFactory(BodyFactory)
    date = SESSION_DATE
    convocation_date = datetime.date(2024, 6, 7)


class DeliberationFactory(DjangoModelFactory):
    class Meta:
        model = Deliberation

    authority = factory.SubFactory(AuthorityFactory)
    number = factory.Sequence(lambda n: f"2024.{n + 1:05d}")
    title = factory.Sequence(lambda n: f"Soutien à l'association {n}")
    thematic = "Filière industrie"


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    deliberation = factory.SubFactory(DeliberationFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "autorise l'attribution d'une subvention de fonctionnement de 62 500 €,"


def make_session(
    *, in_office=68, present=51, proxies=9, excused=None, body=None, second_convocation=False, **kw
):
    """A session of `in_office` members: `present` present, `proxies` represented (each by a
    different present member), the rest absent excused. Presiding and secretary: the first two
    present members."""
    body = body or BodyFactory()
    members = MemberFactory.create_batch(in_office, body=body)
    session = SessionFactory(body=body, second_convocation=second_convocation, **kw)
    if excused is None:
        excused = in_office - present - proxies
    present_members = members[:present]
    givers = members[present : present + proxies]
    rest = members[present + proxies :]
    rows = [Attendance(session=session, member=m, status="present") for m in present_members]
    rows += [
        Attendance(session=session, member=m, status="represente", proxy_holder=present_members[i])
        for i, m in enumerate(givers)
    ]
    rows += [Attendance(session=session, member=m, status="excuse") for m in rest[:excused]]
    rows += [Attendance(session=session, member=m, status="absent") for m in rest[excused:]]
    Attendance.objects.bulk_create(rows)
    if present_members:
        session.presiding = present_members[0]
        session.secretary = present_members[min(1, len(present_members) - 1)]
        session.save()
    return Session.objects.select_related("body__authority").get(pk=session.pk)


def adopted_deliberation(session=None, *, votes_for=None, **kwargs):
    """A deliberation voted at `session` (unanimously by default), with one article."""
    session = session or make_session()
    summary = session.attendance
    deliberation = DeliberationFactory(
        authority=session.body.authority,
        session=session,
        votes_for=summary.votes_count if votes_for is None else votes_for,
        **kwargs,
    )
    DecisionFactory(deliberation=deliberation, position=1)
    return deliberation
