"""The comparison's reads (associations.indicators.comparison): which associations, which cells,
in which order, counted and paginated, for each role; a fixed number of queries."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.indicators.comparison import comparison
from associations.indicators.models import Indicator, IndicatorReport
from grants.models import Role
from tests.associations.indicators.factories import (
    IndicatorFactory,
    IndicatorReportFactory,
    IndicatorSetFactory,
    IndicatorValueFactory,
)
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ManagerFactory,
    StructureTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NO_FILTERS = {"structure_type": None, "year_from": None, "year_to": None, "submitted_only": False}


class World:
    """Two authorities; the first has sets for 2022 and 2023 (and 2023 for a second structure
    type), each with a numeric indicator `visites` and a text indicator `bilan`."""

    def __init__(self):
        self.city, self.region = AuthorityFactory(), AuthorityFactory()
        self.incubator = StructureTypeFactory(name="Incubateur")
        self.cluster = StructureTypeFactory(name="Pôle de compétitivité")
        self.sets = {
            (2022, "incubator"): self.make_set(self.city, self.incubator, 2022),
            (2023, "incubator"): self.make_set(self.city, self.incubator, 2023),
            (2023, "cluster"): self.make_set(self.city, self.cluster, 2023),
            (2023, "region"): self.make_set(self.region, self.incubator, 2023),
        }

    def make_set(self, authority, structure_type, year):
        indicator_set = IndicatorSetFactory(
            authority=authority, structure_type=structure_type, year=year
        )
        IndicatorFactory(indicator_set=indicator_set, code="visites", position=1)
        IndicatorFactory(indicator_set=indicator_set, code="bilan", unit="texte", position=2)
        return indicator_set

    def association(self, name, authority=None, structure_type=None):
        return AssociationFactory(
            name=name,
            authority=authority or self.city,
            structure_type=structure_type or self.incubator,
        )

    def report(self, association, key, *, total=None, text="", submitted=True, women=None):
        indicator_set = self.sets[key]
        report = IndicatorReportFactory(association=association, indicator_set=indicator_set)
        if submitted:
            report.status = IndicatorReport.Status.SUBMITTED
            report.submitted_at = report.updated_at
            report.save()
        by_code = {i.code: i for i in indicator_set.indicators.all()}
        men = None if women is None else total - women
        IndicatorValueFactory(
            report=report, indicator=by_code["visites"], total=total, women=women, men=men
        )
        IndicatorValueFactory(report=report, indicator=by_code["bilan"], text=text)
        return report


@pytest.fixture
def world():
    w = World()
    w.alpha = w.association("Alpha")
    w.report(w.alpha, (2022, "incubator"), total=D(10), text="Bon début")
    w.report(w.alpha, (2023, "incubator"), total=D(12), women=D(5))
    w.beta = w.association("Beta")  # a 2023 draft only
    w.report(w.beta, (2023, "incubator"), total=D(7), text="En cours", submitted=False)
    w.gamma = w.association("Gamma")  # reports without a value: not compared
    w.report(w.gamma, (2022, "incubator"))
    w.report(w.gamma, (2023, "incubator"))
    w.association("Delta")  # no report at all
    w.echo = w.association("Echo", structure_type=w.cluster)  # the other structure type
    w.report(w.echo, (2023, "cluster"), total=D(3))
    w.twin = w.association("Alpha")  # same name: ordered by pk after the first Alpha
    w.report(w.twin, (2022, "incubator"), total=D(0))  # 0 is a value
    w.north = w.association("Nord", authority=w.region)  # the other authority
    w.report(w.north, (2023, "region"), total=D(99), text="Ailleurs")
    return w


def visites(w):
    return Indicator.objects.get(indicator_set=w.sets[(2023, "incubator")], code="visites")


def bilan(w):
    return Indicator.objects.get(indicator_set=w.sets[(2023, "incubator")], code="bilan")


def read(user, indicator, page_number=1, per_page=25, **filters):
    years, page, rows = comparison(
        user, indicator, page_number=page_number, per_page=per_page, **{**NO_FILTERS, **filters}
    )
    table = [
        (
            row.association.pk,
            {
                year: (cell.value if indicator.is_numeric else cell.text, cell.is_draft)
                for year, cell in sorted(row.cells.items())
            },
        )
        for row in rows
    ]
    return years, page.paginator.count, page.paginator.num_pages, table


def staff(w, authority=None):
    return UserFactory(role=Role.VIEWER, authority=authority or w.city)


def test_staff_compare_their_authoritys_associations_with_a_value(world):
    w = world
    years, count, pages, table = read(staff(w), visites(w))
    assert years == [2022, 2023]
    assert (count, pages) == (4, 1)
    assert table == [
        (w.alpha.pk, {2022: (D(10), False), 2023: (D(12), False)}),
        (w.twin.pk, {2022: (D(0), False)}),
        (w.beta.pk, {2023: (D(7), True)}),
        (w.echo.pk, {2023: (D(3), False)}),
    ]


def test_a_text_indicator_keeps_the_associations_with_a_text(world):
    w = world
    years, count, _, table = read(staff(w), bilan(w))
    assert years == [2022, 2023]
    assert count == 2
    assert table == [
        (w.alpha.pk, {2022: ("Bon début", False)}),
        (w.beta.pk, {2023: ("En cours", True)}),
    ]


def test_the_filters_narrow_the_sets_and_the_reports(world):
    w = world
    user, indicator = staff(w), visites(w)
    years, count, _, table = read(user, indicator, submitted_only=True)
    assert (years, count) == ([2022, 2023], 3)
    assert [pk for pk, _ in table] == [w.alpha.pk, w.twin.pk, w.echo.pk]
    years, count, _, table = read(user, indicator, structure_type=w.cluster)
    assert (years, count, table) == ([2023], 1, [(w.echo.pk, {2023: (D(3), False)})])
    years, count, _, table = read(user, indicator, year_from=2023)
    assert (years, count) == ([2023], 3)
    assert table[0] == (w.alpha.pk, {2023: (D(12), False)})
    years, count, _, table = read(user, indicator, year_to=2022)
    assert (years, count) == ([2022], 2)
    assert [pk for pk, _ in table] == [w.alpha.pk, w.twin.pk]
    assert read(user, indicator, year_from=2024)[:3] == ([], 0, 1)


def test_the_pages_split_the_same_order(world):
    w = world
    user, indicator = staff(w), visites(w)
    first = read(user, indicator, per_page=3)
    second = read(user, indicator, page_number=2, per_page=3)
    assert (first[1], first[2]) == (second[1], second[2]) == (4, 2)
    assert [pk for pk, _ in first[3] + second[3]] == [w.alpha.pk, w.twin.pk, w.beta.pk, w.echo.pk]
    assert read(user, indicator, page_number=9, per_page=3)[3] == second[3]  # last page


def test_each_role_sees_only_its_own_associations(world):
    w = world
    _, count, _, table = read(staff(w, w.region), visites(w))
    assert (count, table) == (1, [(w.north.pk, {2023: (D(99), False)})])
    manager = ManagerFactory(associations=[w.beta, w.north])
    _, count, _, table = read(manager, visites(w))
    assert count == 2
    assert table == [(w.beta.pk, {2023: (D(7), True)}), (w.north.pk, {2023: (D(99), False)})]
    admin = UserFactory(role=Role.ADMIN, authority=None)
    years, count, _, table = read(admin, visites(w))
    assert (years, count) == ([2022, 2023], 5)
    assert [pk for pk, _ in table] == [w.alpha.pk, w.twin.pk, w.beta.pk, w.echo.pk, w.north.pk]


def test_a_report_on_a_set_staff_may_not_see_is_left_out(world):
    """A value counts only when staff may see both its report (through the association) and its
    indicator's set (through the set's authority)."""
    w = world
    stray = w.association("Zulu", authority=w.region)
    w.report(stray, (2023, "incubator"), total=D(5))  # a region association on the city's set
    for user in [staff(w), staff(w, w.region)]:
        assert stray.pk not in [pk for pk, _ in read(user, visites(w))[3]]


def test_the_number_of_queries_does_not_grow_with_the_rows(world, django_assert_max_num_queries):
    w = world
    user, indicator = staff(w), visites(w)

    def queries():
        with CaptureQueriesContext(connection) as context:
            read(user, indicator)
        return len(context.captured_queries)

    few = queries()
    for n in range(12):
        association = w.association(f"Zèbre {n:02d}")
        w.report(association, (2022, "incubator"), total=D(n))
        w.report(association, (2023, "incubator"), total=D(n + 1))
    assert queries() == few
    with django_assert_max_num_queries(4):
        read(user, indicator)
