import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from associations.models import Association
from deliberations.models import Deliberation
from tests.deliberations.factories import (
    BodyFactory,
    DeliberationFactory,
    SessionFactory,
    adopted_deliberation,
    make_session,
)
from tests.factories import AssociationFactory, AuthorityFactory, GrantFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("deliberation_list")
SESSIONS = reverse("session_list")


@pytest.fixture
def authority():
    return AuthorityFactory()


@pytest.fixture
def instructor(authority):
    return UserFactory(authority=authority)


def numbers(response):
    return [d.number for d in response.context["page"].object_list]


def make_deliberations(authority, count, *, year=2024):
    body = BodyFactory(authority=authority)
    session = SessionFactory(
        body=body, date=datetime.date(year, 3, 1), convocation_date=datetime.date(year, 2, 20)
    )
    associations = AssociationFactory.create_batch(2, authority=authority)
    made = []
    for i in range(count):
        deliberation = DeliberationFactory(
            authority=authority, session=session, number=f"{year}.{i + 1:05d}"
        )
        for association in associations:
            GrantFactory(
                association=association, deliberation=deliberation, amount=Decimal(1000 + i)
            )
        made.append(deliberation)
    return made


@pytest.mark.parametrize("count", [3, 30])
def test_deliberation_list_runs_a_fixed_number_of_queries(
    client, authority, instructor, count, django_assert_num_queries
):
    make_deliberations(authority, count)
    client.force_login(instructor)
    # session, user, years, thematics, count, page rows, bodies; the beneficiaries are read in
    # the page rows' query where the database orders inside an aggregate (PostgreSQL, SQLite
    # 3.44+), by one more query elsewhere.
    in_the_rows = connection.features.supports_aggregate_order_by_clause
    with django_assert_num_queries(7 if in_the_rows else 8):
        response = client.get(LIST)
    rows = response.context["page"].object_list
    assert len(rows) == min(count, 25)
    names = sorted(Association.objects.filter(authority=authority).values_list("name", flat=True))
    assert {row.beneficiaries for row in rows} == {", ".join(names)}  # no acronyms: the names


@pytest.mark.parametrize("count", [3, 30])
def test_session_list_runs_a_fixed_number_of_queries(
    client, authority, instructor, count, django_assert_num_queries
):
    body = BodyFactory(authority=authority)
    for i in range(count):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * i)
        SessionFactory(body=body, date=day, convocation_date=day - datetime.timedelta(days=6))
    client.force_login(instructor)
    with django_assert_num_queries(6):
        response = client.get(SESSIONS)
    assert len(response.context["page"].object_list) == min(count, 25)


def test_session_list_shows_the_derived_counts(client, authority, instructor):
    make_session(in_office=68, present=51, proxies=9, body=BodyFactory(authority=authority))
    client.force_login(instructor)
    [row] = client.get(SESSIONS).context["page"].object_list
    assert (row.in_office_count, row.present_count, row.proxies_count) == (68, 51, 9)
    text = client.get(SESSIONS).text
    assert '<td class="num">60</td>' in text and "Atteint" in text


def test_session_list_flags_a_session_without_quorum(client, authority, instructor):
    make_session(in_office=68, present=34, proxies=9, body=BodyFactory(authority=authority))
    client.force_login(instructor)
    assert "Non atteint" in client.get(SESSIONS).text


@pytest.mark.parametrize(
    "present, proxies, second_convocation, badge",
    [
        (0, 0, False, '<span class="badge badge-muted">Présences à saisir</span>'),
        (35, 0, False, '<span class="badge badge-ok">Atteint</span>'),
        (34, 9, True, '<span class="badge badge-warn">Non requis</span>'),
        (34, 9, False, '<span class="badge badge-err">Non atteint</span>'),
    ],
)
def test_session_list_reads_the_quorum_rule(
    client, authority, instructor, present, proxies, second_convocation, badge
):
    """More than half of the 68 members present (deliberations.rules.quorum_reached); after a
    first session without quorum, the second convocation needs none."""
    body = BodyFactory(authority=authority)
    make_session(
        in_office=68, present=present, proxies=proxies, second_convocation=second_convocation,
        body=body,
    )  # fmt: skip
    client.force_login(instructor)
    text = client.get(SESSIONS).text
    assert badge in text
    assert f'<td class="num">{present + proxies}</td>' in text


def test_filters_by_year_thematic_status_association_and_amount(client, authority, instructor):
    d2023 = make_deliberations(authority, 1, year=2023)[0]
    council = BodyFactory(authority=authority, name="Conseil métropolitain", kind="conseil")
    session = make_session(in_office=4, present=3, proxies=0, body=council)
    voted = adopted_deliberation(session, number="2024.00100", thematic="Culture")
    minalogic = AssociationFactory(authority=authority, name="Minalogic")
    GrantFactory(association=minalogic, deliberation=voted, amount=Decimal("62500.00"))
    client.force_login(instructor)

    assert numbers(client.get(LIST, {"year": 2023})) == [d2023.number]
    assert numbers(client.get(LIST, {"thematic": "Culture"})) == ["2024.00100"]
    assert numbers(client.get(LIST, {"status": "adoptee"})) == ["2024.00100"]
    assert numbers(client.get(LIST, {"status": "brouillon"})) == [d2023.number]
    assert numbers(client.get(LIST, {"association": "minalo"})) == ["2024.00100"]
    assert numbers(client.get(LIST, {"amount_min": 60000})) == ["2024.00100"]
    assert numbers(client.get(LIST, {"amount_max": 60000})) == [d2023.number]
    assert numbers(client.get(LIST, {"body": session.body.pk})) == ["2024.00100"]
    assert numbers(client.get(LIST, {"q": "00100"})) == ["2024.00100"]


def test_sorting_by_amount_and_number(client, authority, instructor):
    made = make_deliberations(authority, 3)
    client.force_login(instructor)
    assert numbers(client.get(LIST, {"ordering": "-amount"})) == [d.number for d in made[::-1]]
    assert numbers(client.get(LIST, {"ordering": "number"})) == [d.number for d in made]


def test_pagination_counts_the_filtered_rows(client, authority, instructor):
    make_deliberations(authority, 30)
    client.force_login(instructor)
    page = client.get(LIST, {"page": 2}).context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 5


def test_empty_states(client, instructor):
    client.force_login(instructor)
    assert "Aucune délibération n'est encore enregistrée." in client.get(LIST).text
    assert "Aucune délibération ne correspond" in client.get(LIST, {"thematic": "x"}).text
    assert "Aucune séance n'est encore enregistrée." in client.get(SESSIONS).text


def test_list_shows_status_and_total_in_french(client, authority, instructor):
    make_deliberations(authority, 1)
    client.force_login(instructor)
    text = client.get(LIST).text
    assert "2\u00a0000,00\u00a0€" in text and "Brouillon" in text
    assert Deliberation.objects.count() == 1


def test_the_beneficiaries_column_lists_acronyms_else_names_in_the_grants_order(
    client, authority, instructor
):
    [with_grants] = make_deliberations(authority, 1)
    GrantFactory(
        association=AssociationFactory(authority=authority, name="Zèbre & Cie", acronym="ZC"),
        deliberation=with_grants,
    )
    GrantFactory(
        association=AssociationFactory(authority=authority, name="Arbres <du> Sud", acronym=""),
        deliberation=with_grants,
    )
    DeliberationFactory(authority=authority, number="2024.00900")  # no grant
    client.force_login(instructor)
    response = client.get(LIST)
    names = sorted(g.association.name for g in with_grants.grants.all())
    rows = {d.number: d.beneficiaries for d in response.context["page"].object_list}
    assert rows[with_grants.number] == ", ".join("ZC" if n == "Zèbre & Cie" else n for n in names)
    assert rows["2024.00900"] == ""
    assert "Arbres &lt;du&gt; Sud, " in response.text  # escaped
    assert "<td>—</td>" in response.text


def test_the_list_opens_on_the_latest_decision_light_or_not_and_follows_a_moved_session(
    client, authority, instructor
):
    body = BodyFactory(authority=authority)
    march = SessionFactory(
        body=body, date=datetime.date(2024, 3, 1), convocation_date=datetime.date(2024, 2, 20)
    )
    june = SessionFactory(
        body=body, date=datetime.date(2024, 6, 1), convocation_date=datetime.date(2024, 5, 20)
    )
    DeliberationFactory(authority=authority, session=march, number="2024.00001")
    DeliberationFactory(authority=authority, session=june, number="2024.00002")
    Deliberation.objects.create(
        authority=authority,
        kind=Deliberation.Kind.LIGHT,
        number="2024.00003",
        title="Saisie simplifiée",
        body_name="Bureau",
        session_date=datetime.date(2024, 4, 15),
    )
    client.force_login(instructor)
    assert numbers(client.get(LIST)) == ["2024.00002", "2024.00003", "2024.00001"]
    assert numbers(client.get(LIST, {"year": 2024})) == ["2024.00002", "2024.00003", "2024.00001"]
    # The March session is moved to December: its deliberation moves with it.
    march.date = datetime.date(2024, 12, 1)
    march.save()
    assert numbers(client.get(LIST)) == ["2024.00001", "2024.00002", "2024.00003"]
    assert Deliberation.objects.get(number="2024.00001").decided_on == datetime.date(2024, 12, 1)
