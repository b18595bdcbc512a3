"""The staff's forms, through the pages: sessions, attendance, deliberations, transmission."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from deliberations.forms import parse_member_line
from deliberations.models import Body, Deliberation, Member, Session
from grants.models import Grant
from tests.deliberations.factories import (
    BodyFactory,
    DeliberationFactory,
    MemberFactory,
    SessionFactory,
    adopted_deliberation,
    make_session,
)
from tests.factories import AssociationFactory, AuthorityFactory, GrantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    return AuthorityFactory(
        siren="244200770", department_code="042", name="Saint-Étienne Métropole"
    )


@pytest.fixture
def instructor(client, authority):
    user = UserFactory(authority=authority)
    client.force_login(user)
    return user


# Bodies and members.


def test_instructor_creates_a_body_for_their_authority(client, instructor, authority):
    response = client.post(
        reverse("body_create"), {"kind": "bureau", "name": "Bureau métropolitain"}
    )
    body = Body.objects.get()
    assert response.url == body.get_absolute_url() and body.authority == authority


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("Mme Sylvie FAYOLLE", ("Mme", "Sylvie", "FAYOLLE")),
        ("M. Jean-Alain BARRIER,", ("M.", "Jean-Alain", "BARRIER")),
        ("Mme Ramona GONZALEZ GRAIL", ("Mme", "Ramona", "GONZALEZ GRAIL")),
        ("M. Jordan DA SILVA", ("M.", "Jordan", "DA SILVA")),
        ("Madame Christiane MICHAUD-FARIGOULE", ("Mme", "Christiane", "MICHAUD-FARIGOULE")),
        ("Sylvie FAYOLLE", None),
        ("Mme sylvie fayolle", None),
    ],
)
def test_member_lines_are_read_as_the_register_prints_them(line, parsed):
    assert parse_member_line(line) == parsed


def test_many_members_are_added_at_once_and_bad_lines_are_named(client, instructor, authority):
    body = BodyFactory(authority=authority)
    url = reverse("member_bulk_create", args=[body.pk])
    data = {"mandate_start": "2020-07-15", "lines": "Mme Sylvie FAYOLLE\nsiham labich\n"}
    response = client.post(url, data)
    assert "Ligne 2 (« siham labich »)" in response.text and not Member.objects.exists()
    data["lines"] = "Mme Sylvie FAYOLLE\nMme Siham LABICH\n\nMme Sylvie FAYOLLE"
    client.post(url, data)
    assert sorted(str(m) for m in body.members.all()) == ["Mme Siham LABICH", "Mme Sylvie FAYOLLE"]


# Sessions and attendance.


def test_a_session_convened_after_it_sits_is_refused(client, instructor, authority):
    body = BodyFactory(authority=authority)
    response = client.post(
        reverse("session_create"),
        {"body": body.pk, "date": "2024-06-13", "convocation_date": "2024-06-14"},
    )
    assert "La convocation ne peut pas être postérieure à la séance." in response.text
    assert not Session.objects.exists()


def test_creating_a_session_leads_to_its_attendance(client, instructor, authority):
    body = BodyFactory(authority=authority)
    response = client.post(
        reverse("session_create"),
        {"body": body.pk, "date": "2024-06-13", "convocation_date": "2024-06-07"},
    )
    session = Session.objects.get()
    assert response.url == reverse("session_attendance", args=[session.pk])


def test_another_authoritys_body_cannot_be_chosen(client, instructor):
    other = BodyFactory()
    response = client.post(
        reverse("session_create"),
        {"body": other.pk, "date": "2024-06-13", "convocation_date": "2024-06-07"},
    )
    assert response.status_code == 200 and not Session.objects.exists()


def attendance_data(session, statuses, presiding, secretary, proxies=None):
    data = {"presiding": presiding.pk, "secretary": secretary.pk, "presiding_title": ""}
    for member, status in statuses.items():
        data[f"status_{member.pk}"] = status
        data[f"proxy_{member.pk}"] = (proxies or {}).get(member, "")
    return data


def test_recording_the_attendance_of_every_member(client, instructor, authority):
    session = SessionFactory(body=BodyFactory(authority=authority))
    a, b, c, d = MemberFactory.create_batch(4, body=session.body)
    url = reverse("session_attendance", args=[session.pk])
    page = client.get(url)
    assert page.text.count('<select name="status_') == 4
    data = attendance_data(
        session,
        {a: "present", b: "present", c: "represente", d: "excuse"},
        presiding=a,
        secretary=b,
        proxies={c: a.pk},
    )
    response = client.post(url, data)
    assert response.url == session.get_absolute_url()
    session.refresh_from_db()
    summary = session.attendance
    assert (summary.present_count, summary.proxies_count, summary.votes_count) == (2, 1, 3)
    assert session.attendance_recorded_by == instructor
    detail = client.get(session.get_absolute_url()).text
    assert f"{c} donne pouvoir à {a}" in detail


def test_a_second_proxy_is_refused_on_its_row_and_nothing_is_saved(client, instructor, authority):
    session = SessionFactory(body=BodyFactory(authority=authority))
    a, b, c, d = MemberFactory.create_batch(4, body=session.body)
    data = attendance_data(
        session,
        {a: "present", b: "present", c: "represente", d: "represente"},
        presiding=a,
        secretary=b,
        proxies={c: a.pk, d: a.pk},
    )
    response = client.post(reverse("session_attendance", args=[session.pk]), data)
    assert response.status_code == 200
    assert f"{a} détient déjà un pouvoir" in response.text
    assert "Rien n'a été enregistré" in response.text
    assert not session.attendances.exists()


# Deliberations.


def deliberation_data(session, association, **overrides):
    data = {
        "number": "2024.00344",
        "session": session.pk if session else "",
        "thematic": "Filière industrie",
        "title": "Animation de l'écosystème d'innovation pour l'année 2024",
        "statement": "Le pôle sollicite **62 500 €**.",
        "votes_for": "",
        "votes_against": "",
        "abstentions": "",
        "not_participating": "",
        "articles-TOTAL_FORMS": "2",
        "articles-INITIAL_FORMS": "0",
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        "articles-0-text": "autorise l'attribution d'une subvention de 62 500 € au pôle,",
        "articles-0-ORDER": "1",
        "articles-1-text": "la dépense sera imputée sur le compte : INUM/SUFLI/65748.",
        "articles-1-ORDER": "2",
        "subventions-TOTAL_FORMS": "1",
        "subventions-INITIAL_FORMS": "0",
        "subventions-MIN_NUM_FORMS": "0",
        "subventions-MAX_NUM_FORMS": "1000",
        "subventions-0-association": association.pk,
        "subventions-0-year": "2024",
        "subventions-0-amount": "62 500,00",
        "subventions-0-nature": "fonctionnement",
        "subventions-0-object": "Animation de l'écosystème d'innovation",
        "subventions-0-budget_imputation": "INUM/SUFLI/65748",
    }
    data.update(overrides)
    return data


@pytest.fixture
def seed_like_session(authority):
    return make_session(in_office=68, present=51, proxies=9, body=BodyFactory(authority=authority))


def test_creating_an_adopted_deliberation_with_its_articles_grant_and_vote(
    client, instructor, authority, seed_like_session
):
    association = AssociationFactory(authority=authority, name="Minalogic")
    data = deliberation_data(seed_like_session, association, votes_for="60")
    response = client.post(reverse("deliberation_create"), data)
    deliberation = Deliberation.objects.get()
    assert response.url == deliberation.get_absolute_url()
    assert deliberation.status == Deliberation.Status.ADOPTED and deliberation.is_unanimous
    assert deliberation.vote_recorded_by == instructor
    assert [d.position for d in deliberation.decisions.all()] == [1, 2]
    grant = Grant.objects.get()
    assert (grant.amount, grant.authority, grant.deliberation) == (
        Decimal("62500.00"),
        authority,
        deliberation,
    )
    detail = client.get(deliberation.get_absolute_url()).text
    assert "Ce dossier a été adopté à l&#x27;unanimité." in detail
    assert "<strong>62 500 €</strong>" in detail


def test_more_votes_than_available_are_refused(client, instructor, authority, seed_like_session):
    association = AssociationFactory(authority=authority)
    data = deliberation_data(seed_like_session, association, votes_for="60", abstentions="1")
    response = client.post(reverse("deliberation_create"), data)
    assert "61 votes saisis pour 60 voix disponibles en séance (51 présents + 9 pouvoirs)." in (
        response.text
    )
    assert not Deliberation.objects.exists() and not Grant.objects.exists()


def test_a_session_without_quorum_cannot_adopt(client, instructor, authority):
    session = make_session(
        in_office=68, present=34, proxies=9, body=BodyFactory(authority=authority)
    )
    data = deliberation_data(session, AssociationFactory(authority=authority), votes_for="43")
    response = client.post(reverse("deliberation_create"), data)
    assert (
        "n&#x27;a pas atteint le quorum (34 présents sur 68 membres en exercice, il en faut "
        "au moins 35)" in response.text
    )
    assert not Deliberation.objects.exists()


def test_a_session_on_second_convocation_adopts_without_quorum(client, instructor, authority):
    session = make_session(
        in_office=68,
        present=34,
        proxies=9,
        body=BodyFactory(authority=authority),
        second_convocation=True,
        convocation_date=datetime.date(2024, 6, 10),
    )
    data = deliberation_data(session, AssociationFactory(authority=authority), votes_for="43")
    client.post(reverse("deliberation_create"), data)
    assert Deliberation.objects.get().status == Deliberation.Status.ADOPTED


def test_a_vote_needs_the_sessions_attendance(client, instructor, authority):
    session = SessionFactory(body=BodyFactory(authority=authority))
    MemberFactory.create_batch(3, body=session.body)
    data = deliberation_data(session, AssociationFactory(authority=authority), votes_for="3")
    response = client.post(reverse("deliberation_create"), data)
    assert "Saisissez d&#x27;abord les présences de cette séance" in response.text


def test_a_vote_cannot_precede_the_session(client, instructor, authority):
    day = datetime.date.today() + datetime.timedelta(days=10)
    session = make_session(
        in_office=4, present=3, proxies=0, body=BodyFactory(authority=authority), date=day
    )
    data = deliberation_data(session, AssociationFactory(authority=authority), votes_for="3")
    response = client.post(reverse("deliberation_create"), data)
    assert "n&#x27;a pas encore eu lieu" in response.text


def test_a_draft_needs_neither_session_nor_vote_and_gets_the_next_number(
    client, instructor, authority
):
    DeliberationFactory(authority=authority, number="2024.00343")
    data = deliberation_data(None, AssociationFactory(authority=authority), number="2024.00344")
    client.post(reverse("deliberation_create"), data)
    assert Deliberation.objects.get(number="2024.00344").status == Deliberation.Status.DRAFT


def test_next_number_follows_the_authoritys_last_one(client, instructor, authority):
    year = datetime.date.today().year
    DeliberationFactory(authority=authority, number=f"{year}.00343")
    form = client.get(reverse("deliberation_create")).context["form"]
    assert form["number"].value() == f"{year}.00344"


def test_a_duplicate_number_is_refused(client, instructor, authority, seed_like_session):
    DeliberationFactory(authority=authority, number="2024.00344")
    data = deliberation_data(seed_like_session, AssociationFactory(authority=authority))
    response = client.post(reverse("deliberation_create"), data)
    assert "La délibération n° 2024.00344 existe déjà." in response.text


def test_another_authoritys_association_cannot_receive_the_grant(
    client, instructor, authority, seed_like_session
):
    data = deliberation_data(seed_like_session, AssociationFactory())
    response = client.post(reverse("deliberation_create"), data)
    assert response.status_code == 200 and not Deliberation.objects.exists()


def test_a_vote_without_article_is_refused(client, instructor, authority, seed_like_session):
    data = deliberation_data(
        seed_like_session,
        AssociationFactory(authority=authority),
        votes_for="60",
        **{
            "articles-0-text": "",
            "articles-1-text": "",
            "articles-0-ORDER": "",
            "articles-1-ORDER": "",
        },
    )
    response = client.post(reverse("deliberation_create"), data)
    assert "Une délibération votée compte au moins un article de décision." in response.text


def test_editing_keeps_grants_and_reorders_articles(
    client, instructor, authority, seed_like_session
):
    association = AssociationFactory(authority=authority)
    client.post(reverse("deliberation_create"), deliberation_data(seed_like_session, association))
    deliberation = Deliberation.objects.get()
    first, second = deliberation.decisions.all()
    grant = deliberation.grants.get()
    data = deliberation_data(seed_like_session, association, votes_for="60")
    data.update(
        {
            "articles-TOTAL_FORMS": "2",
            "articles-INITIAL_FORMS": "2",
            "articles-0-id": first.pk,
            "articles-0-ORDER": "2",
            "articles-1-id": second.pk,
            "articles-1-ORDER": "1",
            "subventions-INITIAL_FORMS": "1",
            "subventions-0-id": grant.pk,
            "subventions-0-amount": "60000",
        }
    )
    client.post(reverse("deliberation_edit", args=[deliberation.pk]), data)
    assert [d.pk for d in deliberation.decisions.all()] == [second.pk, first.pk]
    grant.refresh_from_db()
    assert grant.amount == Decimal("60000.00") and Grant.objects.count() == 1


def test_markdown_is_sanitised_on_display(client, instructor, authority):
    deliberation = DeliberationFactory(
        authority=authority,
        statement="**gras**\n\n<script>alert(1)</script>\n\n[lien](javascript:alert(2))",
    )
    page = client.get(deliberation.get_absolute_url()).text
    assert "<strong>gras</strong>" in page
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


# Transmission and publication.


@pytest.fixture
def adopted(authority):
    session = make_session(
        in_office=68, present=51, proxies=9, body=BodyFactory(authority=authority)
    )
    return adopted_deliberation(session, number="2024.00344")


def transmission(identifier, received="2024-06-21", published="2024-06-21"):
    return {
        "prefecture_received_on": received,
        "transmission_platform": "DOTELEC - iXBus",
        "actes_identifier": identifier,
        "published_on": published,
    }


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        (
            "99_DE-042-200054807-20240613-D20240034410",
            "Le SIREN de l&#x27;identifiant @ctes (200054807) n&#x27;est pas celui de "
            "Saint-Étienne Métropole (244200770).",
        ),
        (
            "99_DE-042-244200770-20240614-D20240034410",
            "La date de l&#x27;identifiant @ctes (14/06/2024) n&#x27;est pas celle de la séance "
            "(13/06/2024).",
        ),
        ("99_DE-013-244200770-20240613-D20240034410", "Le département de l&#x27;identifiant"),
        ("99_DE-042-244200770", "est mal formé"),
    ],
)
def test_a_wrong_actes_identifier_is_refused_with_a_french_message(
    client, instructor, adopted, identifier, message
):
    url = reverse("deliberation_transmission", args=[adopted.pk])
    response = client.post(url, transmission(identifier))
    assert message in response.text
    adopted.refresh_from_db()
    assert adopted.status == Deliberation.Status.ADOPTED and adopted.actes_identifier == ""


def test_transmission_and_publication_make_it_executory(client, instructor, adopted):
    url = reverse("deliberation_transmission", args=[adopted.pk])
    client.post(url, transmission("99_DE-042-244200770-20240613-D20240034410"))
    adopted.refresh_from_db()
    assert adopted.status == Deliberation.Status.EXECUTORY
    assert adopted.executory_date == datetime.date(2024, 6, 21)
    assert adopted.transmission_recorded_by == instructor


def test_a_reception_before_the_session_is_refused(client, instructor, adopted):
    url = reverse("deliberation_transmission", args=[adopted.pk])
    response = client.post(
        url, transmission("99_DE-042-244200770-20240613-D20240034410", received="2024-06-12")
    )
    assert "Cette date précède la séance du 13/06/2024." in response.text


def test_a_draft_cannot_be_transmitted(client, instructor, authority):
    draft = DeliberationFactory(authority=authority)
    response = client.get(reverse("deliberation_transmission", args=[draft.pk]))
    assert response.url == draft.get_absolute_url()


# Deletion.


def test_a_draft_is_deleted_with_its_grants_after_confirmation(client, instructor, authority):
    draft = DeliberationFactory(authority=authority)
    GrantFactory(association=AssociationFactory(authority=authority), deliberation=draft)
    url = reverse("deliberation_delete", args=[draft.pk])
    assert "Supprimer définitivement" in client.get(url).text
    client.post(url, {})
    assert Deliberation.objects.filter(pk=draft.pk).exists()
    client.post(url, {"confirm": "on"})
    assert not Deliberation.objects.filter(pk=draft.pk).exists() and not Grant.objects.exists()


def test_an_adopted_deliberation_cannot_be_deleted(client, instructor, adopted):
    response = client.post(reverse("deliberation_delete", args=[adopted.pk]), {"confirm": "on"})
    assert response.url == adopted.get_absolute_url()
    assert Deliberation.objects.filter(pk=adopted.pk).exists()


def test_amounts_are_shown_and_read_the_french_way(client, instructor, authority):
    deliberation = DeliberationFactory(authority=authority)
    GrantFactory(
        association=AssociationFactory(authority=authority),
        deliberation=deliberation,
        amount=Decimal("62500.00"),
    )
    page = client.get(reverse("deliberation_edit", args=[deliberation.pk])).text
    assert 'value="62\u00a0500,00"' in page


def grant_formset_data(deliberation, grant, delete):
    data = deliberation_data(None, grant.association, number=deliberation.number)
    data.update(
        {
            "articles-TOTAL_FORMS": "0",
            "subventions-INITIAL_FORMS": "1",
            "subventions-0-id": grant.pk,
            "subventions-0-amount": "62500",
        }
    )
    if delete:
        data["subventions-0-DELETE"] = "on"
    return data


def test_a_grant_is_removed_from_a_draft(client, instructor, authority):
    draft = DeliberationFactory(authority=authority)
    grant = GrantFactory(association=AssociationFactory(authority=authority), deliberation=draft)
    client.post(
        reverse("deliberation_edit", args=[draft.pk]), grant_formset_data(draft, grant, True)
    )
    assert not Grant.objects.exists()


def test_a_grant_linked_to_a_convention_is_kept(client, instructor, authority):
    from tests.conventions.factories import ConventionFactory

    draft = DeliberationFactory(authority=authority)
    grant = GrantFactory(association=AssociationFactory(authority=authority), deliberation=draft)
    ConventionFactory(association=grant.association, grants=[grant])
    url = reverse("deliberation_edit", args=[draft.pk])
    response = client.post(url, grant_formset_data(draft, grant, True))
    assert "ne peut pas être supprimée : une convention y est rattachée" in response.text
    assert Grant.objects.filter(pk=grant.pk).exists()
    response = client.post(reverse("deliberation_delete", args=[draft.pk]), {"confirm": "on"})
    assert "est liée à une convention" in response.text
    assert Deliberation.objects.filter(pk=draft.pk).exists()
