"""Seed SCS art. 5.4: preparing a new grant or convention for an association whose previous
convention lacks accepted justificatifs shows a warning (association page, convention form)."""

import pytest
from django.urls import reverse

from conventions.justificatifs import services
from conventions.justificatifs.due import renewal_warnings
from conventions.models import Convention, Justificatif
from grants.models import Role
from tests.conventions.factories import ConventionFactory, JustificatifFactory, forecast_budget
from tests.conventions.justificatifs.factories import in_status, signed_convention, staff_of
from tests.factories import GrantFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Justificatif.Kind


@pytest.fixture
def previous():
    """The 2023 convention, signed, its justificatifs due 30/06/2024."""
    return signed_convention(number="2023-01")


@pytest.fixture
def instructor(previous):
    return staff_of(previous)


def accept_all(convention, but=()):
    for kind in convention.required_justificatif_kinds:
        if kind not in but:
            JustificatifFactory(convention=convention, kind=kind, status="accepte")


def test_a_previous_convention_lacking_accepted_pieces_is_flagged(previous):
    [state] = renewal_warnings(previous.association, before_year=2024)
    assert state.convention == previous
    assert [item.kind for item in state.not_accepted] == [
        Kind.COMPTES_ANNUELS, Kind.RAPPORT_ACTIVITE, Kind.PV_AG
    ]  # fmt: skip


def test_only_the_missing_pieces_are_listed_and_none_once_all_accepted(previous):
    accept_all(previous, but=[Kind.PV_AG])
    [state] = renewal_warnings(previous.association, before_year=2024)
    assert [item.kind for item in state.not_accepted] == [Kind.PV_AG]
    JustificatifFactory(convention=previous, kind=Kind.PV_AG, status="accepte")
    assert renewal_warnings(previous.association, before_year=2024) == []


def test_a_piece_under_review_still_counts_as_not_accepted(previous):
    accept_all(previous, but=[Kind.PV_AG])
    JustificatifFactory(convention=previous, kind=Kind.PV_AG)
    [state] = renewal_warnings(previous.association, before_year=2024)
    assert [(i.kind, i.state) for i in state.not_accepted] == [(Kind.PV_AG, "submitted")]


def test_the_same_year_later_conventions_drafts_and_terminated_ones_are_not_previous(previous):
    assert renewal_warnings(previous.association, before_year=2023) == []
    assert renewal_warnings(previous.association, exclude_pk=previous.pk) == []
    in_status(previous, Convention.Status.DRAFT)
    assert renewal_warnings(previous.association, before_year=2024) == []
    in_status(previous, Convention.Status.TERMINATED)
    assert renewal_warnings(previous.association, before_year=2024) == []
    in_status(previous, Convention.Status.CLOSED)  # closed without its pieces: still flagged
    assert len(renewal_warnings(previous.association, before_year=2024)) == 1


def test_the_check_runs_a_fixed_number_of_queries(previous, django_assert_num_queries):
    for year in range(2015, 2023):
        convention = signed_convention(association=previous.association, year=year)
        convention.forecast_budget = forecast_budget(convention.association, year=year)
        convention.save()
    with django_assert_num_queries(4):  # conventions, grants, budget lines, justificatifs
        warnings = renewal_warnings(previous.association, before_year=2024)
    assert [state.convention.year for state in warnings] == list(range(2023, 2014, -1))


# ---- on the pages ----------------------------------------------------------------------------


def test_the_association_page_warns_staff_and_managers(client, previous, instructor):
    client.force_login(instructor)
    url = reverse("association_detail", args=[previous.association.pk])
    page = client.get(url).content.decode()
    assert (
        "Renouvellement (art. 5.4) : la convention précédente n'a pas tous ses justificatifs "
        "acceptés." in page
    )
    assert "Convention n° 2023-01 — exercice 2023" in page
    assert "échéance dépassée depuis le 30/06/2024" in page
    assert reverse("justificatif_list", args=[previous.pk]) in page
    accept_all(previous)
    page = client.get(url).content.decode()
    assert "Renouvellement (art. 5.4)" not in page


def test_the_convention_form_warns_when_the_association_is_chosen(client, previous, instructor):
    client.force_login(instructor)
    url = reverse("convention_create")
    assert "Renouvellement" not in client.get(url).content.decode()
    page = client.get(url, {"association": previous.association.pk}).content.decode()
    assert "Renouvellement (art. 5.4)" in page
    assert "comptes annuels (bilan, compte de résultat, annexe) (manquant)" in page
    grant = GrantFactory(association=previous.association, year=2024)
    page = client.get(url, {"subvention": grant.pk}).content.decode()
    assert "Renouvellement (art. 5.4)" in page
    same_year = GrantFactory(association=previous.association, year=2023)
    page = client.get(url, {"subvention": same_year.pk}).content.decode()
    assert "Renouvellement (art. 5.4)" not in page


def test_the_edit_form_does_not_flag_the_convention_itself(client, previous, instructor):
    draft = ConventionFactory(association=previous.association, year=2023)
    in_status(previous, Convention.Status.DRAFT)
    client.force_login(instructor)
    page = client.get(reverse("convention_edit", args=[draft.pk])).content.decode()
    assert "Renouvellement" not in page


def test_another_authority_never_sees_the_warning(client, previous):
    other = UserFactory(role=Role.INSTRUCTOR)
    client.force_login(other)
    url = reverse("convention_create")
    page = client.get(url, {"association": previous.association.pk})
    assert page.status_code == 404 or "Renouvellement" not in page.content.decode()


def test_a_previous_piece_rejected_shows_in_the_warning(previous, instructor):
    from tests.conventions.justificatifs.factories import manager_of, pdf_upload

    manager = manager_of(previous)
    piece = services.justificatif_upload(
        user=manager, convention=previous, kind=Kind.COMPTES_ANNUELS, upload=pdf_upload()
    )
    services.justificatif_reject(user=instructor, justificatif=piece, reason="Non signés.")
    [state] = renewal_warnings(previous.association, before_year=2024)
    assert ("comptes_annuels", "rejected") in [(i.kind, i.state) for i in state.items]


def test_the_deliberation_granting_the_next_year_warns_about_the_previous_convention(
    client, previous, instructor
):
    from deliberations.models import Deliberation

    deliberation = Deliberation.objects.create(
        authority=previous.authority, number="2024.00001", title="Subventions 2024"
    )
    GrantFactory(association=previous.association, year=2024, deliberation=deliberation)
    client.force_login(instructor)
    page = client.get(reverse("deliberation_detail", args=[deliberation.pk])).text
    assert "Renouvellement (art. 5.4)" in page
    assert "Convention n° 2023-01" in page

    accept_all(previous)
    page = client.get(reverse("deliberation_detail", args=[deliberation.pk])).text
    assert "Renouvellement (art. 5.4)" not in page


# ---- imported grants (issue 15: they take part in the renewal check) ------------------------


def imported_grant(association, year, amount, reference="DEL-2021-042"):
    """A past grant as the SCDL import leaves it: a Grant and its ImportedGrantRecord."""
    import datetime
    import hashlib

    from grants.models import ImportBatch, ImportedGrantRecord

    grant = GrantFactory(
        association=association, year=year, amount=amount, object=f"Fonctionnement {year}"
    )
    batch = ImportBatch.objects.create(
        authority=association.authority, original_name="subventions.csv", status="importe"
    )
    ImportedGrantRecord.objects.create(
        grant=grant,
        batch=batch,
        line=2,
        row_key=hashlib.sha256(f"{grant.pk}".encode()).hexdigest(),
        attributor_name="Ville",
        attributor_siret="21060004100016",
        convention_date=datetime.date(year, 3, 1),
        decision_reference=reference,
        beneficiary_name=association.name,
        beneficiary_rna="W061000001",
        total_amount=amount,
        nature="aide en numéraire",
        payment_conditions="unique",
        payment_dates=f"{year}-04-01",
        percentage="1",
    )
    return grant


def test_an_imported_grant_above_23_000_without_convention_is_flagged(previous):
    from conventions.justificatifs.due import imported_grant_warnings

    association = previous.association
    flagged = imported_grant(association, 2021, "40000.00")
    imported_grant(association, 2020, "23000.00")  # at the threshold: no convention was owed
    imported_grant(association, 2024, "50000.00")  # the year being prepared: not previous
    GrantFactory(association=association, year=2022, amount="40000.00")  # not imported
    warnings = imported_grant_warnings(association, before_year=2024)
    assert [(w.grant, w.decision_reference) for w in warnings] == [(flagged, "DEL-2021-042")]
    assert imported_grant_warnings(association, before_year=2021) == []


def test_an_imported_grant_whose_convention_is_in_the_application_is_not_flagged(previous):
    from conventions.justificatifs.due import imported_grant_warnings

    association = previous.association
    linked = imported_grant(association, 2021, "40000.00")
    convention = ConventionFactory(association=association, year=2021)
    convention.grants.add(linked)
    same_year = imported_grant(association, 2022, "40000.00")  # not linked, same year
    ConventionFactory(association=association, year=2022)
    assert same_year.pk and imported_grant_warnings(association, before_year=2024) == []


def test_another_authority_does_not_see_the_imported_grants(previous):
    from conventions.justificatifs.due import imported_grant_warnings

    imported_grant(previous.association, 2021, "40000.00")
    other = UserFactory(role=Role.INSTRUCTOR)
    assert imported_grant_warnings(previous.association, user=other, before_year=2024) == []
    assert len(imported_grant_warnings(previous.association, user=staff_of(previous))) == 1


def test_the_previous_grants_run_in_one_query_each(previous, django_assert_num_queries):
    from conventions.justificatifs.due import imported_grant_warnings, previous_grants

    for year in range(2012, 2023):
        imported_grant(previous.association, year, "30000.00", reference=f"D{year}")
    with django_assert_num_queries(1):
        warnings = imported_grant_warnings(previous.association, before_year=2024)
    assert [w.grant.year for w in warnings] == list(range(2022, 2011, -1))
    with django_assert_num_queries(1):
        shown = previous_grants(previous.association, before_year=2024)
    assert len(shown) == 10 and shown[0].grant.year == 2023  # the convention's own grant
    assert [(g.grant.year, g.decision_reference, g.untracked) for g in shown[1:3]] == [
        (2022, "D2022", True), (2021, "D2021", True)
    ]  # fmt: skip


def test_the_pages_warn_about_an_imported_grant_whose_pieces_are_not_tracked(
    client, previous, instructor
):
    accept_all(previous)
    imported_grant(previous.association, 2021, "40000.00")
    warning = (
        "subvention importée : justificatifs non suivis dans l'application — vérifiez qu'ils "
        "ont été remis"
    )
    client.force_login(instructor)
    page = client.get(reverse("association_detail", args=[previous.association.pk])).text
    assert warning in page
    assert "exercice 2021, 40\u00a0000,00\u00a0€ (DEL-2021-042)" in page
    form = client.get(reverse("convention_create"), {"association": previous.association.pk}).text
    assert warning in form
    assert "Subventions des exercices précédents" in form
    assert '<td>2021</td><td class="num">40\u00a0000,00\u00a0€</td>' in form

    from deliberations.models import Deliberation

    deliberation = Deliberation.objects.create(
        authority=previous.authority, number="2024.00001", title="Subventions 2024"
    )
    GrantFactory(association=previous.association, year=2024, deliberation=deliberation)
    page = client.get(reverse("deliberation_detail", args=[deliberation.pk])).text
    assert warning in page
