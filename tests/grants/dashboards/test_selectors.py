"""The dashboards' sums at the cent on known data (tests/grants/dashboards/factories.py)."""

import datetime
from decimal import Decimal

import pytest

from conventions.models import Justificatif
from grants.dashboards import selectors
from grants.dashboards.selectors import DIMENSIONS, Amounts
from grants.models import Role
from tests.factories import UserFactory

from .factories import justificatif, known_data

pytestmark = pytest.mark.django_db

D = Decimal
YEARS = [2023, 2024]


@pytest.fixture
def data():
    return known_data()


@pytest.fixture
def viewer(data):
    return UserFactory(role=Role.VIEWER, authority=data.authority)


def amounts(proposed="0.00", voted="0.00", committed="0.00", paid="0.00"):
    return Amounts(D(proposed), D(voted), D(committed), D(paid))


def by_label(breakdown):
    return {row.label: row for row in breakdown.rows}


def test_totals_count_each_grant_once_and_never_a_rejected_one(data, viewer):
    totals = selectors.totals_by_year(viewer, data.authority, YEARS)
    assert totals[2024] == amounts("6235.11", "10000.10", "10000.10", "8000.08")
    assert totals[2023] == amounts(voted="7777.77", committed="7777.77", paid="7777.77")


def test_by_aid_scheme_proposed_voted_committed_paid(data, viewer):
    rows = by_label(selectors.breakdown(viewer, data.authority, YEARS, DIMENSIONS["dispositif"]))
    assert rows["Culture"].amounts(2024) == amounts("5000.55", "10000.10", "10000.10", "8000.08")
    assert rows["Culture"].amounts(2023) == amounts()
    assert rows["Sans dispositif"].amounts(2024) == amounts(proposed="1234.56")
    assert rows["Sport"].amounts(2023) == amounts("0.00", "7777.77", "7777.77", "7777.77")
    # Voted amount of the last year first, the empty group last.
    assert [row.label for row in selectors.breakdown(
        viewer, data.authority, YEARS, DIMENSIONS["dispositif"]
    ).rows] == ["Culture", "Sport", "Sans dispositif"]  # fmt: skip


def test_by_domain_a_grant_counts_in_full_in_each_domain_of_its_association(data, viewer):
    rows = by_label(selectors.breakdown(viewer, data.authority, YEARS, DIMENSIONS["domaine"]))
    assert rows["Culture"].amounts(2024) == amounts("6235.11", "10000.10", "10000.10", "8000.08")
    assert rows["Jeunesse"].amounts(2024) == amounts("0.00", "10000.10", "10000.10", "8000.08")
    assert rows["Sans domaine"].amounts(2023) == amounts("0.00", "7777.77", "7777.77", "7777.77")
    assert set(rows) == {"Culture", "Jeunesse", "Sans domaine"}


def test_by_structure_type(data, viewer):
    rows = by_label(selectors.breakdown(viewer, data.authority, YEARS, DIMENSIONS["type"]))
    assert rows["Association culturelle"].amounts(2024) == amounts(
        "0.00", "10000.10", "10000.10", "8000.08"
    )
    assert rows["Club sportif"].amounts(2024) == amounts(proposed="6235.11")
    assert rows["Sans type de structure"].amounts(2023) == amounts(
        "0.00", "7777.77", "7777.77", "7777.77"
    )


def test_payments_per_month_of_their_payment_date(data, viewer):
    table = selectors.payments_by_month(viewer, data.authority, YEARS)
    assert table.rows[2].amount(2024) == D("8000.08") and table.rows[2].count(2024) == 1
    assert table.rows[10].amount(2023) == D("7777.77")
    assert table.totals == {2023: (D("7777.77"), 1), 2024: (D("8000.08"), 1)}
    assert table.rows[2].label == "mars"


def test_budget_line_consumption(data, viewer):
    consumption = selectors.budget_consumption(viewer, data.authority, YEARS)
    (line,) = consumption.lines
    assert (line.voted_credits, line.committed, line.ordered, line.paid, line.available) == (
        D("100000.00"),
        D("10000.10"),
        D("10000.10"),
        D("8000.08"),
        D("89999.90"),
    )
    totals = consumption.totals
    assert (totals[2023].voted, totals[2023].committed, totals[2023].paid) == (
        D("20000.00"),
        D("7777.77"),
        D("7777.77"),
    )
    assert totals[2024].available == D("89999.90")


def test_late_justificatifs_are_past_due_and_not_accepted(data, viewer):
    convention = data.conventions[0]
    due = datetime.date(2025, 6, 30)
    justificatif(convention, Justificatif.Kind.RAPPORT_ACTIVITE, due)
    justificatif(convention, Justificatif.Kind.PV_AG, due, Justificatif.Status.REJECTED)
    justificatif(convention, Justificatif.Kind.COMPTES_ANNUELS, due, Justificatif.Status.ACCEPTED)
    justificatif(convention, Justificatif.Kind.ATTESTATION_ASSURANCE, datetime.date(2025, 12, 31))

    late = selectors.late_justificatifs(
        viewer, data.authority, YEARS, today=datetime.date(2025, 7, 1)
    )
    # Not the accepted one, not the one due later, not authority B's; the 2023 convention (in
    # execution, its pieces due 30/06/2024) never handed in its three required pieces.
    assert (late.total, late.missing) == (5, 3)
    assert late.by_year == {2023: 3, 2024: 2}
    assert [j.kind for j, days in late.oldest_rows] == ["rapport_activite", "pv_ag"]
    assert {days for _, days in late.oldest_rows} == {1}


def test_largest_beneficiaries_by_voted_amount(data, viewer):
    (top,) = selectors.largest_beneficiaries(viewer, data.authority, YEARS)
    assert (top.name, top.voted(2024), top.committed, top.paid) == (
        "Association X",
        D("10000.10"),
        D("10000.10"),
        D("8000.08"),
    )
    assert top.cells == [D("0.00"), D("10000.10")]


def test_another_authority_staff_sees_nothing_of_it(data):
    stranger = UserFactory(role=Role.VIEWER, authority=data.other)
    totals = selectors.totals_by_year(stranger, data.authority, YEARS)
    assert totals[2024] == amounts()
    assert selectors.largest_beneficiaries(stranger, data.authority, YEARS) == []


def test_compared_years():
    assert selectors.compared_years(2024, 3) == [2022, 2023, 2024]
    assert selectors.compared_years(2024, 5) == [2020, 2021, 2022, 2023, 2024]


def test_pieces_never_handed_in_count_as_late_once_their_due_date_has_passed(data, viewer):
    from conventions.models import Convention
    from tests.conventions.factories import signed

    convention = signed(data.conventions[1])  # 2023, its pieces due 30/06/2024
    assert convention.status in {Convention.Status.SIGNED_AUTHORITY, Convention.Status.NOTIFIED}
    justificatif(convention, Justificatif.Kind.COMPTES_ANNUELS, datetime.date(2024, 6, 30))

    before = selectors.late_justificatifs(viewer, data.authority, YEARS, datetime.date(2024, 6, 30))
    assert (before.total, before.missing) == (0, 0)  # due today: not late yet

    late = selectors.late_justificatifs(viewer, data.authority, YEARS, datetime.date(2024, 7, 1))
    # The comptes annuels under review are late (a row); the rapport d'activité and the PV of
    # the general assembly were never handed in.
    assert (late.total, late.missing) == (3, 2)
    assert late.by_year == {2023: 3, 2024: 0}
    assert {label: (count, oldest) for label, count, oldest in late.by_kind} == {
        Justificatif.Kind.COMPTES_ANNUELS.label: (1, datetime.date(2024, 6, 30)),
        Justificatif.Kind.RAPPORT_ACTIVITE.label: (1, datetime.date(2024, 6, 30)),
        Justificatif.Kind.PV_AG.label: (1, datetime.date(2024, 6, 30)),
    }
    other = UserFactory(role=Role.VIEWER)  # another authority's viewer sees none of it
    assert selectors.missing_pieces(other, data.authority, YEARS, datetime.date(2024, 7, 1)) == []


def test_missing_pieces_are_found_in_a_fixed_number_of_queries(
    data, viewer, django_assert_num_queries
):
    from tests.conventions.factories import ConventionFactory, signed

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            found = selectors.missing_pieces(
                viewer, data.authority, YEARS, datetime.date(2025, 1, 1)
            )
        return len(queries), found

    signed(ConventionFactory(association=data.conventions[1].association, year=2023))
    few, found = count_queries()
    assert sum(count for *_, count in found) == 6  # the known 2023 convention's 3, the new one's 3
    for _ in range(5):
        signed(ConventionFactory(association=data.conventions[1].association, year=2023))
    many, found = count_queries()
    assert sum(count for *_, count in found) == 21 and many == few == 2


def test_missing_pieces_follow_the_rules_of_the_renewal_check(data, viewer):
    """The SQL count gives, kind by kind, what conventions.justificatifs.due.due_state() says
    for each convention: the auditor's report above 153 000 € of public subsidies, the compte
    rendu financier for a project grant, the due date from the association's closing date."""
    from collections import Counter

    from conventions.justificatifs.due import OWING_STATUSES, due_state, with_justificatif_data
    from conventions.models import Convention
    from grants.models import GrantNature
    from tests.conventions.factories import ConventionFactory, forecast_budget, signed
    from tests.factories import AssociationFactory, GrantFactory

    june = AssociationFactory(
        authority=data.authority, fiscal_year_end_month=6, fiscal_year_end_day=30
    )
    big = signed(ConventionFactory(association=june, year=2024))  # closes 30/06/2024: due 31/12
    big.forecast_budget = forecast_budget(june, year=2024, charges=D("300000"), public=D("200000"))
    big.save()
    small = signed(ConventionFactory(association=june, year=2023))
    small.forecast_budget = forecast_budget(june, year=2023, charges=D("300000"), public=D("1000"))
    small.save()
    project = signed(ConventionFactory(association=data.conventions[1].association, year=2024))
    project.grants.add(
        GrantFactory(association=project.association, year=2024, nature=GrantNature.PROJECT)
    )
    justificatif(big, Justificatif.Kind.RAPPORT_CAC, datetime.date(2024, 12, 31))
    other_big = signed(ConventionFactory(association=data.conventions[0].association, year=2023))
    other_big.forecast_budget = forecast_budget(
        other_big.association, year=2023, charges=D("400000"), public=D("153000.01")
    )
    other_big.save()

    for today in (datetime.date(2024, 7, 1), datetime.date(2025, 1, 1), datetime.date(2025, 7, 1)):
        expected = Counter()
        owing = Convention.objects.filter(
            authority=data.authority, year__in=YEARS, status__in=OWING_STATUSES
        )
        for convention in with_justificatif_data(owing):
            state = due_state(convention, today)
            if state.due_date < today:
                for item in state.items:
                    if item.state == "missing":
                        expected[(convention.year, item.kind, state.due_date)] += 1
        found = selectors.missing_pieces(viewer, data.authority, YEARS, today)
        assert {(y, k, d): n for y, k, d, n in found} == dict(expected)
    kinds = {k for _, k, _, _ in found}
    assert Justificatif.Kind.COMPTE_RENDU_FINANCIER in kinds  # the project grant's
    # Above 153 000 € of public subsidies the auditor's report is owed: missing for one, handed
    # in for the other; 1 000 € call for none.
    assert [(y, n) for y, k, _, n in found if k == Justificatif.Kind.RAPPORT_CAC] == [(2023, 1)]
    assert (2024, Justificatif.Kind.PV_AG, datetime.date(2024, 12, 31), 1) in found
