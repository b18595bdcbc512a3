import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from deliberations import checks, services
from deliberations.models import Attendance
from grants.models import Role
from tests.deliberations.factories import (
    MemberFactory,
    SessionFactory,
    adopted_deliberation,
    make_session,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRESENT, REPRESENTED, EXCUSED, ABSENT = "present", "represente", "excuse", "absent"


def test_counts_are_derived_from_the_attendance():
    session = make_session(in_office=68, present=51, proxies=9)
    summary = session.attendance
    assert (summary.in_office_count, summary.present_count) == (68, 51)
    assert (summary.proxies_count, summary.votes_count, summary.excused_count) == (9, 60, 8)
    assert summary.complete and summary.quorum_reached and summary.can_adopt


@pytest.mark.parametrize(("present", "reached"), [(34, False), (35, True)])
def test_quorum_at_the_edge_of_68_members(present, reached):
    summary = make_session(in_office=68, present=present, proxies=0).attendance
    assert summary.quorum_reached is reached
    assert summary.can_adopt is reached


def test_second_convocation_deliberates_without_quorum():
    session = make_session(in_office=68, present=20, proxies=5, second_convocation=True)
    assert not session.attendance.quorum_reached
    assert session.attendance.can_adopt
    [quorum] = [c for c in checks.session_checks(session) if c.label == "Quorum"]
    assert quorum.level == "warning" and "seconde convocation" in quorum.message


def test_members_out_of_office_on_the_session_day_do_not_count():
    session = make_session(in_office=10, present=6, proxies=0)
    MemberFactory(body=session.body, mandate_start=datetime.date(2024, 7, 1))  # not yet
    MemberFactory(
        body=session.body,
        mandate_start=datetime.date(2020, 7, 15),
        mandate_end=datetime.date(2024, 1, 31),
    )
    session.refresh_from_db()
    assert session.attendance.in_office_count == 10


def test_a_member_in_office_without_attendance_is_reported_missing():
    session = make_session(in_office=10, present=6, proxies=1)
    late = MemberFactory(body=session.body, last_name="OUBLIE", first_name="Jean", civility="M.")
    session.refresh_from_db()
    summary = session.attendance
    assert summary.missing == [late] and not summary.complete and not summary.can_adopt
    failed = {c.label: c.message for c in checks.session_checks(session) if c.level == "error"}
    assert failed["Présences"] == "1 membre en exercice sans présence saisie : M. Jean OUBLIE."
    assert failed["Membres en exercice"] == (
        "6 présents + 1 représentés + 3 absents = 10, alors que la séance compte 11 membres en "
        "exercice."
    )


def test_the_seed_arithmetic_is_shown_as_checked():
    session = make_session(in_office=68, present=51, proxies=9)
    messages = {c.label: c.message for c in checks.session_checks(session)}
    assert messages["Nombre de voix"].startswith("51 présents + 9 pouvoirs = 60 voix")
    assert messages["Membres en exercice"] == (
        "51 présents + 9 représentés + 8 absents = 68 membres en exercice."
    )
    assert all(c.level == "ok" for c in checks.session_checks(session))


def test_the_database_refuses_a_second_proxy_for_the_same_holder():
    session = SessionFactory()
    holder, giver, other = MemberFactory.create_batch(3, body=session.body)
    Attendance.objects.create(session=session, member=holder, status=PRESENT)
    Attendance.objects.create(
        session=session, member=giver, status=REPRESENTED, proxy_holder=holder
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session, member=other, status=REPRESENTED, proxy_holder=holder
        )


def test_the_database_refuses_a_represented_member_without_holder_and_a_proxy_to_oneself():
    session = SessionFactory()
    member = MemberFactory(body=session.body)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, member=member, status=REPRESENTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session, member=member, status=REPRESENTED, proxy_holder=member
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session, member=member, status=PRESENT, proxy_holder=member
        )


# The rules of a new attendance, before anything is written.


@pytest.fixture
def five():
    session = SessionFactory()
    members = MemberFactory.create_batch(5, body=session.body)
    return session, members


def errors_for(session, members, entries, presiding=None, secretary=None):
    presiding = presiding or members[0].pk
    secretary = secretary or members[0].pk
    return [
        message
        for _, message in services.attendance_errors(
            members=members,
            entries=entries,
            presiding_id=presiding,
            secretary_id=secretary,
            session=session,
        )
    ]


def test_a_proxy_to_an_absent_member_is_refused(five):
    session, (a, b, c, d, e) = five
    entries = {
        a.pk: (PRESENT, None),
        b.pk: (PRESENT, None),
        c.pk: (EXCUSED, None),
        d.pk: (REPRESENTED, c.pk),
        e.pk: (PRESENT, None),
    }
    assert errors_for(session, [a, b, c, d, e], entries) == [
        f"{d} donne pouvoir à {c}, qui n'est pas présent : un pouvoir ne peut être confié qu'à "
        "un membre présent."
    ]


def test_a_second_proxy_to_the_same_member_is_refused(five):
    session, (a, b, c, d, e) = five
    entries = {
        a.pk: (PRESENT, None),
        b.pk: (PRESENT, None),
        c.pk: (PRESENT, None),
        d.pk: (REPRESENTED, a.pk),
        e.pk: (REPRESENTED, a.pk),
    }
    [message] = errors_for(session, [a, b, c, d, e], entries)
    assert message.startswith(f"{a} détient déjà un pouvoir")
    assert "qu'un seul (CGCT L.2121-20)" in message


def test_a_represented_member_must_name_the_holder(five):
    session, (a, b, c, d, e) = five
    entries = {m.pk: (PRESENT, None) for m in (a, b, c, d)} | {e.pk: (REPRESENTED, None)}
    assert errors_for(session, [a, b, c, d, e], entries) == [
        f"{e} est représenté : indiquez à qui il a donné pouvoir."
    ]


def test_presiding_member_and_secretary_must_be_present(five):
    session, (a, b, c, d, e) = five
    entries = {m.pk: (PRESENT, None) for m in (a, b, c)} | {
        d.pk: (ABSENT, None),
        e.pk: (EXCUSED, None),
    }
    assert errors_for(session, [a, b, c, d, e], entries, presiding=d.pk, secretary=e.pk) == [
        "Le président de séance doit faire partie des membres présents.",
        "Le secrétaire de séance doit faire partie des membres présents.",
    ]


def test_recording_replaces_the_attendance_and_records_who(five):
    session, (a, b, c, d, e) = five
    instructor = UserFactory(authority=session.body.authority)
    entries = {
        a.pk: (PRESENT, None),
        b.pk: (PRESENT, None),
        c.pk: (PRESENT, None),
        d.pk: (REPRESENTED, b.pk),
        e.pk: (ABSENT, None),
    }
    services.session_record_attendance(
        session=session,
        user=instructor,
        entries=entries,
        presiding_id=a.pk,
        secretary_id=b.pk,
        presiding_title="La Première Vice-Présidente",
    )
    session.refresh_from_db()
    summary = session.attendance
    assert (summary.present_count, summary.proxies_count, summary.votes_count) == (3, 1, 4)
    assert summary.proxy_lines == [f"{d} donne pouvoir à {b}"]
    assert session.attendance_recorded_by == instructor
    assert session.presiding_signature_title == "La Première Vice-Présidente"

    entries[d.pk] = (EXCUSED, None)
    services.session_record_attendance(
        session=session,
        user=instructor,
        entries=entries,
        presiding_id=a.pk,
        secretary_id=b.pk,
        presiding_title="",
    )
    session.refresh_from_db()
    assert session.attendance.proxies_count == 0
    assert session.attendances.count() == 5


def test_an_attendance_that_no_longer_supports_a_recorded_vote_is_refused():
    session = make_session(in_office=10, present=6, proxies=2)
    adopted_deliberation(session, number="2024.00001")  # 8 votes
    instructor = UserFactory(authority=session.body.authority)
    members = list(session.body.members.all())
    entries = {a.member_id: (a.status, a.proxy_holder_id) for a in session.attendances.all()}
    giver = next(pk for pk, (status, _) in entries.items() if status == REPRESENTED)
    entries[giver] = (EXCUSED, None)
    with pytest.raises(ValidationError) as error:
        services.session_record_attendance(
            session=session,
            user=instructor,
            entries=entries,
            presiding_id=session.presiding_id,
            secretary_id=session.secretary_id,
            presiding_title="",
        )
    assert (
        "n° 2024.00001 compte 8 votes : cette saisie n'offre que 7 voix" in error.value.messages[0]
    )
    assert len(members) == 10


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_cannot_record_an_attendance(five, role):
    session, members = five
    with pytest.raises(PermissionDenied):
        services.session_record_attendance(
            session=session,
            user=UserFactory(role=role, authority=session.body.authority),
            entries={m.pk: (PRESENT, None) for m in members},
            presiding_id=members[0].pk,
            secretary_id=members[0].pk,
            presiding_title="",
        )


def test_another_authoritys_instructor_cannot_record_an_attendance(five):
    session, members = five
    with pytest.raises(PermissionDenied):
        services.session_record_attendance(
            session=session,
            user=UserFactory(),
            entries={m.pk: (PRESENT, None) for m in members},
            presiding_id=members[0].pk,
            secretary_id=members[0].pk,
            presiding_title="",
        )
