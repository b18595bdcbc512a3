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
