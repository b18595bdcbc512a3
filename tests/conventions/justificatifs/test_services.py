"""Uploading and reviewing justificatifs, without HTTP: who may, in which state, the history,
the journal, and the balance request that waits for the accepted pieces (art. 4.3 and 6.2)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from conventions.justificatifs import due, services
from conventions.models import Convention, ConventionEvent, Justificatif
from grants.finance import services as payments
from grants.finance.models import Payment
from grants.models import Role
from tests.conventions.factories import forecast_budget
from tests.conventions.justificatifs.factories import (
    in_status,
    manager_of,
    pdf_upload,
    signed_convention,
    staff_of,
)
from tests.factories import ManagerFactory, UserFactory

Kind = Justificatif.Kind
Status = Justificatif.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention():
    return signed_convention()


@pytest.fixture
def manager(convention):
    return manager_of(convention, email="gestion@asso.example")


@pytest.fixture
def instructor(convention):
    return staff_of(convention, email="instruction@metropole.example")


def upload(manager, convention, kind=Kind.COMPTES_ANNUELS, **kwargs):
    return services.justificatif_upload(
        user=manager, convention=convention, kind=kind, upload=pdf_upload(**kwargs)
    )


# ---- upload ----------------------------------------------------------------------------------


def test_a_manager_hands_in_a_piece_that_awaits_review(convention, manager):
    justificatif = upload(manager, convention)
    assert justificatif.status == Status.SUBMITTED
    assert justificatif.is_current
    assert justificatif.uploaded_by == manager
    assert justificatif.due_date == convention.justificatifs_due_date
    assert ConventionEvent.objects.filter(
        convention=convention, action="Justificatif déposé : " + Kind.COMPTES_ANNUELS.label
    ).exists()


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER, Role.ADMIN])
def test_staff_do_not_hand_in_the_association_s_pieces(convention, role):
    user = UserFactory(role=role, authority=convention.authority)
    with pytest.raises(PermissionDenied):
        upload(user, convention)


def test_another_association_s_manager_cannot_upload(convention):
    with pytest.raises(PermissionDenied):
        upload(ManagerFactory(), convention)


@pytest.mark.parametrize(
    "status",
    [Convention.Status.DRAFT, Convention.Status.READY, Convention.Status.CLOSED,
     Convention.Status.TERMINATED],
)  # fmt: skip
def test_pieces_are_handed_in_between_the_signatures_and_the_balance(convention, manager, status):
    in_status(convention, status)
    with pytest.raises(ValidationError) as excinfo:
        upload(manager, convention)
    assert "les justificatifs se déposent une fois la convention signée" in str(excinfo.value)


def test_a_new_upload_before_review_replaces_the_previous_one(convention, manager):
    first = upload(manager, convention)
    second = upload(manager, convention, pages=2)
    first.refresh_from_db()
    assert not first.is_current and first.status == Status.SUBMITTED
    assert second.is_current
    assert list(convention.justificatifs.filter(kind=Kind.COMPTES_ANNUELS)) == [second, first]


def test_an_accepted_piece_is_not_handed_in_again(convention, manager, instructor):
    services.justificatif_accept(user=instructor, justificatif=upload(manager, convention))
    with pytest.raises(ValidationError) as excinfo:
        upload(manager, convention, pages=2)
    assert "est déjà accepté pour cette convention" in str(excinfo.value)


def test_after_a_rejection_the_new_upload_replaces_it_in_the_required_list(
    convention, manager, instructor
):
    rejected = upload(manager, convention)
    services.justificatif_reject(
        user=instructor, justificatif=rejected, reason="Le bilan n'est pas signé."
    )
    state = due.due_state(convention)
    assert {i.kind: i.state for i in state.items}[Kind.COMPTES_ANNUELS] == "rejected"

    corrected = upload(manager, convention, pages=2)
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and not rejected.is_current
    assert rejected.rejection_reason == "Le bilan n'est pas signé."
    state = due.due_state(convention)
    item = next(i for i in state.items if i.kind == Kind.COMPTES_ANNUELS)
    assert item.state == "submitted" and item.justificatif == corrected
    rows = {row.kind: row for row in due.kind_rows(convention)}
    assert rows[Kind.COMPTES_ANNUELS].current == corrected
    assert rows[Kind.COMPTES_ANNUELS].history == [rejected]


def test_the_same_file_as_a_rejected_one_is_refused(convention, manager, instructor):
    rejected = upload(manager, convention)
    services.justificatif_reject(user=instructor, justificatif=rejected, reason="Non signé.")
    with pytest.raises(ValidationError) as excinfo:
        upload(manager, convention)  # byte for byte the same PDF
    assert "identique à celui refusé le" in str(excinfo.value)
    assert "Non signé." in str(excinfo.value)


# ---- review ----------------------------------------------------------------------------------


def test_an_instructor_accepts_and_the_managers_are_told(
    convention, manager, instructor, django_capture_on_commit_callbacks
):
    justificatif = upload(manager, convention)
    with django_capture_on_commit_callbacks(execute=True):
        services.justificatif_accept(user=instructor, justificatif=justificatif)
    justificatif.refresh_from_db()
    assert justificatif.status == Status.ACCEPTED
    assert justificatif.reviewed_by == instructor and justificatif.reviewed_at is not None
    note = manager.notifications.get()
    assert note.kind == "justificatif_accepte"
    assert note.url == reverse("justificatif_list", args=[convention.pk])
    assert ConventionEvent.objects.filter(
        action="Justificatif accepté : " + Kind.COMPTES_ANNUELS.label
    ).exists()


def test_a_review_rolled_back_tells_nobody(convention, manager, instructor):
    justificatif = upload(manager, convention)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.justificatif_accept(user=instructor, justificatif=justificatif)
        raise RuntimeError("crash after the review")
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED
    assert not manager.notifications.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_finance_and_consultation_do_not_review(convention, manager, role):
    justificatif = upload(manager, convention)
    user = UserFactory(role=role, authority=convention.authority)
    with pytest.raises(PermissionDenied):
        services.justificatif_accept(user=user, justificatif=justificatif)
    with pytest.raises(PermissionDenied):
        services.justificatif_reject(user=user, justificatif=justificatif, reason="Non signé.")


def test_neither_the_manager_nor_another_authority_reviews(convention, manager):
    justificatif = upload(manager, convention)
    for user in [manager, UserFactory(role=Role.INSTRUCTOR)]:
        with pytest.raises(PermissionDenied):
            services.justificatif_accept(user=user, justificatif=justificatif)


def test_a_platform_administrator_may_review(convention, manager):
    admin = UserFactory(role=Role.ADMIN, authority=None)
    justificatif = services.justificatif_accept(
        user=admin, justificatif=upload(manager, convention)
    )
    assert justificatif.status == Status.ACCEPTED


def test_a_rejection_needs_a_reason(convention, manager, instructor):
    justificatif = upload(manager, convention)
    with pytest.raises(ValidationError) as excinfo:
        services.justificatif_reject(user=instructor, justificatif=justificatif, reason="  ")
    assert "Indiquez le motif du refus" in str(excinfo.value)
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED


def test_a_replaced_or_reviewed_piece_is_not_reviewed_again(convention, manager, instructor):
    first = upload(manager, convention)
    upload(manager, convention, pages=2)
    with pytest.raises(ValidationError) as excinfo:
        services.justificatif_accept(user=instructor, justificatif=first)
    assert "une version plus récente" in str(excinfo.value)
    second = convention.justificatifs.get(is_current=True)
    services.justificatif_accept(user=instructor, justificatif=second)
    with pytest.raises(ValidationError) as excinfo:
        services.justificatif_reject(user=instructor, justificatif=second, reason="Finalement non.")
    assert "déjà « Accepté »" in str(excinfo.value)


# ---- due dates -------------------------------------------------------------------------------


def test_due_state_marks_overdue_only_what_is_still_to_hand_in(convention, manager, instructor):
    import datetime

    assert convention.justificatifs_due_date == datetime.date(2024, 6, 30)
    after = datetime.date(2024, 7, 1)
    state = due.due_state(convention, after)
    assert state.days_left == -1 and state.is_overdue
    assert [i.state for i in state.items] == ["missing", "missing", "missing"]
    for kind in convention.required_justificatif_kinds:
        upload(manager, convention, kind=kind, text=kind)
    state = due.due_state(convention, after)
    assert not state.is_overdue  # everything is with the authority, under review
    assert [i.state for i in state.under_review] == ["submitted"] * 3


# ---- the balance waits for the accepted pieces (end to end) ----------------------------------


def test_the_balance_is_refused_while_one_required_piece_is_not_accepted(
    convention, manager, instructor
):
    budget = forecast_budget(convention.association, year=convention.year)
    Convention.objects.filter(pk=convention.pk).update(forecast_budget=budget)
    convention.refresh_from_db()
    kinds = convention.required_justificatif_kinds
    assert kinds == [Kind.COMPTES_ANNUELS, Kind.RAPPORT_ACTIVITE, Kind.PV_AG]
    for kind in kinds:
        upload(manager, convention, kind=kind, text=kind)
    for justificatif in convention.justificatifs.exclude(kind=Kind.PV_AG):
        services.justificatif_accept(user=instructor, justificatif=justificatif)

    def request_balance():
        return payments.payment_request(
            convention=convention,
            user=manager,
            kind=Payment.Kind.BALANCE,
            signer_name="Jean DUPONT, Président",
            certified=True,
            realised_expenses=Decimal("100000.00"),
        )

    with pytest.raises(ValidationError) as excinfo:
        request_balance()
    assert excinfo.value.messages == [
        "Le solde ne peut être demandé qu'une fois les justificatifs requis acceptés (art. 6.2). "
        "En attente : Procès-verbal de l'assemblée générale approuvant les comptes."
    ]
    assert not Payment.objects.exists()

    pv = convention.justificatifs.get(kind=Kind.PV_AG)
    services.justificatif_reject(user=instructor, justificatif=pv, reason="PV non signé.")
    with pytest.raises(ValidationError):
        request_balance()

    corrected = upload(manager, convention, kind=Kind.PV_AG, text="pv signé")
    services.justificatif_accept(user=instructor, justificatif=corrected)
    payment = request_balance()
    assert payment.kind == Payment.Kind.BALANCE
    assert payment.amount == convention.amount


def test_the_balance_page_says_which_piece_is_missing(client, convention, manager, instructor):
    budget = forecast_budget(convention.association, year=convention.year)
    Convention.objects.filter(pk=convention.pk).update(forecast_budget=budget)
    for kind in [Kind.COMPTES_ANNUELS, Kind.RAPPORT_ACTIVITE]:
        services.justificatif_accept(
            user=instructor, justificatif=upload(manager, convention, kind=kind, text=kind)
        )
    client.force_login(manager)
    url = reverse("payment_request", args=[convention.pk, Payment.Kind.BALANCE])
    response = client.post(
        url,
        {"realised_expenses": "100000", "signer_name": "Jean DUPONT", "certified": "on"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "justificatifs requis acceptés (art. 6.2), à remettre avant le 30/06/2024" in page
    assert "<li>Procès-verbal de l&#x27;assemblée générale approuvant les comptes</li>" in page
    assert not Payment.objects.exists()
