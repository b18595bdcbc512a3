import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from conventions import services
from conventions.models import Convention, ConventionEvent
from grants.models import Role
from tests.conventions.factories import ConventionFactory, forecast_budget, signable, signed
from tests.factories import AuthorityFactory, GrantFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Convention.Status
TODAY = datetime.date(2024, 7, 1)


def with_pdf(convention):
    convention.pdf_file.save("c.pdf", ContentFile(b"%PDF-1.4 fake"), save=True)
    convention.refresh_from_db()
    Convention.objects.filter(pk=convention.pk).update(pdf_generated_at=convention.updated_at)
    convention.refresh_from_db()
    return convention


@pytest.fixture
def convention():
    return signable(ConventionFactory())


@pytest.fixture
def instructor(convention):
    return UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)


def test_amount_is_the_sum_of_the_grants_and_follows_a_grant_change(convention):
    GrantFactory(association=convention.association, amount=Decimal("1000.00"))
    extra = GrantFactory(association=convention.association, amount=Decimal("500.50"))
    convention.grants.add(extra)
    convention.refresh_from_db()
    assert convention.amount == Decimal("63000.50")
    assert convention.amount_total == Decimal("63000.50")
    extra.amount = Decimal("600.50")
    extra.save()
    convention.refresh_from_db()
    assert convention.amount_total == Decimal("63100.50")


def test_advance_percentage_defaults_to_the_authority_setting():
    authority = AuthorityFactory(default_advance_percentage=Decimal("60.00"))
    convention = ConventionFactory(association__authority=authority, advance_percentage=None)
    assert convention.advance_percentage == Decimal("60.00")


def test_the_full_lifecycle_records_who_and_when(convention, instructor):
    manager = ManagerFactory(associations=[convention.association])
    with_pdf(convention)
    services.mark_ready(user=instructor, convention=convention)
    services.record_association_signature(
        user=manager, convention=convention, signer_name="Jean DUPONT", signed_on=TODAY
    )
    services.record_authority_signature(
        user=instructor, convention=convention, signer_name="Martine VASSAL", signed_on=TODAY
    )
    convention.refresh_from_db()
    assert convention.is_signed_by_both
    assert convention.association_signature_recorded_by == manager
    assert convention.authority_signer_name == "Martine VASSAL"
    services.notify(user=instructor, convention=convention, notified_on=TODAY)
    services.start_execution(user=instructor, convention=convention, started_on=TODAY)
    services.close(user=instructor, convention=convention, closed_on=TODAY)
    convention.refresh_from_db()
    assert convention.status == Status.CLOSED
    assert convention.notified_by == instructor
    steps = list(
        ConventionEvent.objects.filter(convention=convention).values_list("to_status", flat=True)
    )
    assert Status.CLOSED in steps and Status.SIGNED_ASSOCIATION in steps


def test_ready_for_signature_needs_a_generated_pdf(convention, instructor):
    with pytest.raises(ValidationError, match="générez le PDF"):
        services.mark_ready(user=instructor, convention=convention)


def test_illegal_transition_is_refused_with_a_french_message(convention, instructor):
    with pytest.raises(
        ValidationError,
        match="Impossible de enregistrer la signature de la collectivité|Impossible",
    ):
        services.record_authority_signature(
            user=instructor, convention=convention, signer_name="X", signed_on=TODAY
        )
    convention.refresh_from_db()
    assert convention.status == Status.DRAFT


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_finance_and_read_only_roles_never_move_a_convention(convention, role):
    user = UserFactory(role=role, authority=convention.authority)
    with_pdf(convention)
    with pytest.raises(PermissionDenied):
        services.mark_ready(user=user, convention=convention)
    Convention.objects.filter(pk=convention.pk).update(status=Status.READY)
    convention.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.record_association_signature(
            user=user, convention=convention, signer_name="X", signed_on=TODAY
        )


def test_another_authoritys_instructor_cannot_act(convention):
    stranger = UserFactory(role=Role.INSTRUCTOR)
    with pytest.raises(PermissionDenied):
        services.generate_pdf(user=stranger, convention=convention)


def test_a_manager_signs_only_for_their_own_association_and_only_that_step(convention, instructor):
    Convention.objects.filter(pk=convention.pk).update(status=Status.READY)
    convention.refresh_from_db()
    other_manager = ManagerFactory(associations=[])
    with pytest.raises(PermissionDenied):
        services.record_association_signature(
            user=other_manager, convention=convention, signer_name="X", signed_on=TODAY
        )
    manager = ManagerFactory(associations=[convention.association])
    services.record_association_signature(
        user=manager, convention=convention, signer_name="Jean DUPONT", signed_on=TODAY
    )
    with pytest.raises(PermissionDenied):
        services.record_authority_signature(
            user=manager, convention=convention, signer_name="X", signed_on=TODAY
        )


def test_signature_dates_cannot_be_in_the_future_nor_before_the_other_party(convention, instructor):
    Convention.objects.filter(pk=convention.pk).update(status=Status.READY)
    convention.refresh_from_db()
    with pytest.raises(ValidationError, match="futur"):
        services.record_association_signature(
            user=instructor, convention=convention, signer_name="X",
            signed_on=datetime.date.today() + datetime.timedelta(days=1),
        )  # fmt: skip
    services.record_association_signature(
        user=instructor, convention=convention, signer_name="X", signed_on=TODAY
    )
    with pytest.raises(ValidationError, match="avant l'association"):
        services.record_authority_signature(
            user=instructor, convention=convention, signer_name="Y",
            signed_on=TODAY - datetime.timedelta(days=1),
        )  # fmt: skip


def test_the_pdf_cannot_be_regenerated_once_signed(convention, instructor):
    signed(convention)
    with pytest.raises(ValidationError, match="régénérer le PDF"):
        services.generate_pdf(user=instructor, convention=convention)


def test_amendment_changes_the_amount_and_keeps_the_previous_values(convention, instructor):
    signed(convention)
    convention.start_date, convention.end_date = (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    convention.save()
    amendment = services.amendment_create(
        user=instructor, convention=convention, signed_at=TODAY, reason="Action supplémentaire",
        amount_change=Decimal("5000.00"), new_end_date=datetime.date(2025, 6, 30),
    )  # fmt: skip
    convention.refresh_from_db()
    assert amendment.previous_amount == Decimal("62500.00")
    assert amendment.new_amount == Decimal("67500.00")
    assert amendment.previous_end_date == datetime.date(2024, 12, 31)
    assert convention.amount == Decimal("67500.00") == convention.amount_total
    assert convention.end_date == datetime.date(2025, 6, 30)
    second = services.amendment_create(
        user=instructor, convention=convention, signed_at=TODAY, reason="Réduction",
        amount_change=Decimal("-7500.00"),
    )  # fmt: skip
    assert second.number == 2 and second.previous_amount == Decimal("67500.00")
    assert Convention.objects.get(pk=convention.pk).amount_total == Decimal("60000.00")


def test_an_amendment_must_change_something_and_keep_a_positive_amount(convention, instructor):
    signed(convention)
    with pytest.raises(ValidationError, match="modifier le montant ou les dates"):
        services.amendment_create(
            user=instructor, convention=convention, signed_at=TODAY, reason="x"
        )
    with pytest.raises(ValidationError, match="positif"):
        services.amendment_create(
            user=instructor, convention=convention, signed_at=TODAY, reason="x",
            amount_change=Decimal("-62500.00"),
        )  # fmt: skip


def test_no_amendment_on_a_draft(convention, instructor):
    with pytest.raises(ValidationError, match="avenant"):
        services.amendment_create(
            user=instructor, convention=convention, signed_at=TODAY, reason="x",
            amount_change=Decimal("1"),
        )  # fmt: skip


def test_terminate_needs_a_reason(convention, instructor):
    signed(convention)
    with pytest.raises(ValidationError, match="motif"):
        services.terminate(user=instructor, convention=convention, reason=" ")
    services.terminate(user=instructor, convention=convention, reason="Dissolution")
    convention.refresh_from_db()
    assert convention.status == Status.TERMINATED and not convention.is_signed_by_both


def test_obligations_from_the_forecast_budget():
    convention = ConventionFactory()
    budget = forecast_budget(
        convention.association, charges=Decimal("100000"), public=Decimal("153000.01")
    )
    convention.forecast_budget = budget
    convention.save()
    obligations = convention.obligations()
    assert obligations.auditor_required is True
    # 62 500 € of a 100 000 € budget: above 50 %.
    assert obligations.certified_accounts_required is True
    assert "rapport_cac" in convention.required_justificatif_kinds
    assert convention.justificatifs_due_date == datetime.date(2025, 6, 30)


def test_no_auditor_report_at_exactly_153000():
    convention = ConventionFactory()
    convention.forecast_budget = forecast_budget(
        convention.association, charges=Decimal("400000"), public=Decimal("153000.00")
    )
    convention.save()
    assert convention.obligations().auditor_required is False
    assert convention.obligations().certified_accounts_required is False
    assert "rapport_cac" not in convention.required_justificatif_kinds


def test_required_justificatifs_accepted(convention):
    from tests.conventions.factories import JustificatifFactory

    assert not convention.required_justificatifs_accepted
    for kind in convention.required_justificatif_kinds:
        JustificatifFactory(convention=convention, kind=kind, status="accepte")
    assert convention.required_justificatifs_accepted
