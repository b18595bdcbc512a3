"""Payments: who may request, certify, order and pay, and the money rules they enforce."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from associations.models import AssociationBudget
from conventions.models import Convention
from grants.finance import services
from grants.finance.models import RealisedSource
from grants.models import Payment, Role
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import (
    CommitmentFactory,
    accept_required_justificatifs,
    attach_forecast,
    budget_with_charges,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def convention():
    """The SCS case: 66 000 € voted, 80 % advance, forecast charges of 953 530 €."""
    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    CommitmentFactory(grant=convention.grants.get(), amount=D("66000.00"))
    return convention


@pytest.fixture
def manager(convention):
    return manager_of(convention, first_name="Fabien", last_name="ALLI")


@pytest.fixture
def instructor(convention):
    return instructor_of(convention.authority)


@pytest.fixture
def finance(convention):
    return finance_of(convention.authority)


def request_advance(convention, manager, amount):
    return services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.ADVANCE,
        amount=D(amount),
        signer_name="Fabien ALLI",
        certified=True,
    )


def request_balance(convention, manager, realised=None):
    return services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.BALANCE,
        signer_name="Fabien ALLI",
        certified=True,
        realised_expenses=None if realised is None else D(realised),
    )


def pay(payment, instructor, finance, number="M-1"):
    services.payment_certify(payment, instructor)
    today = timezone.localdate()
    services.payment_order(payment, finance, number=number, date=today)
    return services.payment_record_paid(payment, finance, date=today)


def messages(error):
    return " ".join(error.value.messages)


# ---- advance ---------------------------------------------------------------------------------


def test_advance_of_exactly_80_percent_is_accepted(convention, manager):
    payment = request_advance(convention, manager, "52800.00")
    assert payment.amount == D("52800.00")
    assert payment.status == Payment.Status.REQUESTED
    assert payment.requested_by == manager
    assert payment.signer_name == "Fabien ALLI"
    assert "réalité de la dépense" in payment.certification_text


def test_advance_one_cent_above_80_percent_is_refused(convention, manager):
    with pytest.raises(ValidationError) as error:
        request_advance(convention, manager, "52800.01")
    assert "80\xa0% du montant voté de 66\xa0000,00\xa0€, soit 52\xa0800,00\xa0€" in messages(error)
    assert not Payment.objects.exists()


def test_advance_follows_the_convention_percentage(convention, manager):
    convention.advance_percentage = D("50.00")
    convention.save()
    with pytest.raises(ValidationError):
        request_advance(convention, manager, "33000.01")
    assert request_advance(convention, manager, "33000.00").amount == D("33000.00")


@pytest.mark.parametrize("status", [Convention.Status.READY, Convention.Status.SIGNED_ASSOCIATION])
def test_advance_before_both_parties_signed_is_refused(convention, manager, status):
    convention.status = status
    convention.authority_signed_at = None
    convention.save()
    with pytest.raises(ValidationError) as error:
        request_advance(convention, manager, "1000.00")
    assert "signée par les deux parties" in messages(error)


def test_a_second_advance_is_refused(convention, manager):
    request_advance(convention, manager, "20000.00")
    with pytest.raises(ValidationError) as error:
        request_advance(convention, manager, "20000.00")
    assert "Un acompte a déjà été demandé" in messages(error)


def test_the_request_must_carry_the_certification_and_the_signer(convention, manager):
    with pytest.raises(ValidationError) as error:
        services.payment_request(
            convention=convention,
            user=manager,
            kind=Payment.Kind.ADVANCE,
            amount=D("1000"),
            signer_name="Fabien ALLI",
            certified=False,
        )
    assert "certifier la réalité de la dépense" in messages(error)
    with pytest.raises(ValidationError):
        services.payment_request(
            convention=convention,
            user=manager,
            kind=Payment.Kind.ADVANCE,
            amount=D("1000"),
            signer_name="  ",
            certified=True,
        )


def test_only_the_association_managers_request_payments(convention, instructor, finance):
    other_manager = ManagerFactory(associations=[])
    for user in (instructor, finance, other_manager):
        with pytest.raises(PermissionDenied):
            request_advance(convention, user, "1000.00")


def test_a_rejected_request_no_longer_counts(convention, manager, instructor):
    payment = request_advance(convention, manager, "52800.00")
    services.payment_reject(payment, instructor, reason="RIB manquant")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REJECTED
    assert payment.rejected_by == instructor
    assert request_advance(convention, manager, "52800.00").amount == D("52800.00")


def test_a_rejection_needs_a_reason(convention, manager, instructor):
    payment = request_advance(convention, manager, "1000.00")
    with pytest.raises(ValidationError):
        services.payment_reject(payment, instructor, reason=" ")


# ---- balance and pro rata --------------------------------------------------------------------


def test_balance_waits_for_the_required_justificatifs(convention, manager):
    with pytest.raises(ValidationError) as error:
        request_balance(convention, manager, realised="953530.00")
    assert "justificatifs requis acceptés" in messages(error)
    assert "Comptes annuels" in messages(error)


def test_balance_is_pro_rata_of_the_realised_budget(convention, manager, instructor, finance):
    advance = request_advance(convention, manager, "52800.00")
    pay(advance, instructor, finance)
    accept_required_justificatifs(convention)
    budget_with_charges(
        convention.association, convention.year, AssociationBudget.Kind.REALISED, "800000.00"
    )
    balance = request_balance(convention, manager)
    # 66 000 × 800 000 / 953 530 = 55 373,19 due; 52 800 already paid.
    assert balance.amount_due == D("55373.19")
    assert balance.amount == D("2573.19")
    assert balance.realised_expenses == D("800000.00")
    assert balance.realised_source == RealisedSource.BUDGET
    assert balance.forecast_expenses == D("953530.00")


def test_balance_uses_the_typed_expenses_when_no_realised_budget(convention, manager):
    accept_required_justificatifs(convention)
    with pytest.raises(ValidationError) as error:
        request_balance(convention, manager)
    assert "dépenses réalisées" in messages(error)
    balance = request_balance(convention, manager, realised="476765.00")
    assert balance.realised_source == RealisedSource.TYPED
    assert balance.amount == D("33000.00")


def test_balance_is_never_increased_by_higher_expenses(convention, manager, instructor, finance):
    pay(request_advance(convention, manager, "52800.00"), instructor, finance)
    accept_required_justificatifs(convention)
    balance = request_balance(convention, manager, realised="1500000.00")
    assert balance.amount_due == D("66000.00")
    assert balance.amount == D("13200.00")


def test_the_sum_of_requests_never_exceeds_the_amount_due(convention, manager):
    request_advance(convention, manager, "52800.00")  # requested, not paid yet
    accept_required_justificatifs(convention)
    balance = request_balance(convention, manager, realised="953530.00")
    assert balance.amount == D("13200.00")
    total = sum(p.amount for p in Payment.objects.filter(convention=convention))
    assert total == D("66000.00")


def test_balance_without_forecast_budget_is_refused(manager, convention):
    convention.forecast_budget = None
    convention.save()
    accept_required_justificatifs(convention)
    with pytest.raises(ValidationError) as error:
        request_balance(convention, manager, realised="1000.00")
    assert "budget prévisionnel" in messages(error)


# ---- clawback --------------------------------------------------------------------------------


def test_excess_paid_is_clawed_back_by_a_titre_de_recettes(
    convention, manager, instructor, finance
):
    pay(request_advance(convention, manager, "52800.00"), instructor, finance)
    accept_required_justificatifs(convention)
    # Realised 40 % of the forecast: 26 400 € due, 52 800 € paid, no balance possible.
    with pytest.raises(ValidationError) as error:
        request_balance(convention, manager, realised="381412.00")
    assert "pas de solde à verser" in messages(error)
    assert "26\xa0400,00\xa0€" in messages(error)

    with pytest.raises(ValidationError) as error:
        services.clawback_record(
            convention=convention,
            user=finance,
            amount=D("26400.01"),
            reason="Dépenses réalisées inférieures au prévisionnel",
            title_number="T-2024-118",
            title_date=timezone.localdate(),
            realised_expenses=D("381412.00"),
        )
    assert "trop-perçu de 26\xa0400,00\xa0€" in messages(error)

    clawback = services.clawback_record(
        convention=convention,
        user=finance,
        amount=D("26400.00"),
        reason="Dépenses réalisées inférieures au prévisionnel",
        title_number="T-2024-118",
        title_date=timezone.localdate(),
        realised_expenses=D("381412.00"),
    )
    assert clawback.amount_due == D("26400.00")
    assert clawback.paid_before == D("52800.00")
    finances = services.convention_finances(convention)
    assert finances.net_paid == D("26400.00")
    assert finances.to_claw_back == D("0.00")
    with pytest.raises(ValidationError) as error:
        services.clawback_record(
            convention=convention,
            user=finance,
            amount=D("1.00"),
            reason="encore",
            title_number="T-2024-119",
            title_date=timezone.localdate(),
        )
    assert "Aucun trop-perçu" in messages(error)


def test_no_clawback_without_excess(convention, manager, instructor, finance):
    pay(request_advance(convention, manager, "52800.00"), instructor, finance)
    with pytest.raises(ValidationError):
        services.clawback_record(
            convention=convention,
            user=finance,
            amount=D("100.00"),
            reason="?",
            title_number="T-1",
            title_date=timezone.localdate(),
        )


def test_only_finance_records_clawbacks(convention, instructor):
    with pytest.raises(PermissionDenied):
        services.clawback_record(
            convention=convention,
            user=instructor,
            amount=D("1"),
            reason="x",
            title_number="T-1",
            title_date=timezone.localdate(),
        )


# ---- certification, order, payment -----------------------------------------------------------


def test_service_fait_then_mandat_then_payment(convention, manager, instructor, finance):
    payment = request_advance(convention, manager, "52800.00")
    services.payment_certify(payment, instructor)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CERTIFIED
    assert payment.certified_by == instructor
    today = timezone.localdate()
    services.payment_order(payment, finance, number="2023-M-4512", date=today)
    payment.refresh_from_db()
    assert (payment.status, payment.order_number, payment.ordered_by) == (
        Payment.Status.ORDERED,
        "2023-M-4512",
        finance,
    )
    assert payment.commitment.grant in convention.grants.all()
    services.payment_record_paid(payment, finance, date=today)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.paid_date == today


def test_roles_certify_and_order(convention, manager, instructor, finance):
    payment = request_advance(convention, manager, "1000.00")
    for user in (finance, manager, UserFactory(role=Role.VIEWER, authority=convention.authority)):
        with pytest.raises(PermissionDenied):
            services.payment_certify(payment, user)
    other_instructor = instructor_of(AuthorityFactory())
    with pytest.raises(PermissionDenied):
        services.payment_certify(payment, other_instructor)
    services.payment_certify(payment, instructor)
    with pytest.raises(PermissionDenied):
        services.payment_order(payment, instructor, number="M", date=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.payment_order(
            payment, finance_of(AuthorityFactory()), number="M", date=timezone.localdate()
        )


def test_who_certified_the_service_fait_cannot_order_the_payment(convention, manager, finance):
    admin = UserFactory(role=Role.ADMIN, authority=None)  # may certify and order
    payment = request_advance(convention, manager, "1000.00")
    services.payment_certify(payment, admin)
    with pytest.raises(ValidationError) as error:
        services.payment_order(payment, admin, number="M-1", date=timezone.localdate())
    assert "Séparation des tâches" in messages(error)
    services.payment_order(payment, finance, number="M-1", date=timezone.localdate())


def test_the_database_refuses_the_same_person_certifying_and_ordering(convention, manager):
    admin = UserFactory(role=Role.ADMIN, authority=None)
    payment = request_advance(convention, manager, "1000.00")
    services.payment_certify(payment, admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.ORDERED,
            order_number="M-1",
            order_date=timezone.localdate(),
            ordered_by=admin,
            commitment=convention.grants.get().commitment,
        )


def test_the_database_refuses_a_balance_above_its_amount_due(convention, manager):
    accept_required_justificatifs(convention)
    balance = request_balance(convention, manager, realised="953530.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=balance.pk).update(amount=D("66000.01"))


def test_a_payment_order_needs_a_commitment(manager, instructor):
    convention = convention_with("30000.00")
    finance = finance_of(convention.authority)
    payment = request_advance(convention, manager_of(convention), "1000.00")
    services.payment_certify(payment, instructor_of(convention.authority))
    with pytest.raises(ValidationError) as error:
        services.payment_order(payment, finance, number="M-1", date=timezone.localdate())
    assert "engagez-la d'abord" in messages(error)


def test_order_and_payment_dates_are_checked(convention, manager, instructor, finance):
    payment = request_advance(convention, manager, "1000.00")
    services.payment_certify(payment, instructor)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.payment_order(payment, finance, number="M-1", date=today - datetime.timedelta(1))
    assert "ne peut pas précéder la certification du service fait" in messages(error)
    with pytest.raises(ValidationError):
        services.payment_order(payment, finance, number="M-1", date=today + datetime.timedelta(1))
    services.payment_order(payment, finance, number="M-1", date=today)
    with pytest.raises(ValidationError):
        services.payment_record_paid(payment, finance, date=today - datetime.timedelta(1))


def test_a_mandat_number_is_used_once_a_year(convention, manager, instructor, finance):
    first = request_advance(convention, manager, "1000.00")
    services.payment_certify(first, instructor)
    services.payment_order(first, finance, number="M-7", date=timezone.localdate())
    other = convention_with("30000.00", association=convention.association)
    CommitmentFactory(grant=other.grants.get())
    second = request_advance(other, manager, "1000.00")
    services.payment_certify(second, instructor)
    with pytest.raises(ValidationError) as error:
        services.payment_order(second, finance, number="M-7", date=timezone.localdate())
    assert "déjà utilisé" in messages(error)


def test_steps_follow_each_other(convention, manager, instructor, finance):
    payment = request_advance(convention, manager, "1000.00")
    with pytest.raises(ValidationError):
        services.payment_order(payment, finance, number="M-1", date=timezone.localdate())
    with pytest.raises(ValidationError):
        services.payment_record_paid(payment, finance, date=timezone.localdate())
    services.payment_certify(payment, instructor)
    with pytest.raises(ValidationError):
        services.payment_certify(payment, instructor)


def test_convention_finances_summarise_the_timeline(convention, manager, instructor, finance):
    pay(request_advance(convention, manager, "52800.00"), instructor, finance)
    finances = services.convention_finances(convention)
    assert finances.voted == D("66000.00")
    assert finances.advance_cap == D("52800.00")
    assert finances.paid == D("52800.00")
    assert finances.due == D("66000.00")
    assert not finances.basis.is_prorated
    assert finances.remaining_payable == D("13200.00")
    assert finances.remaining_to_pay == D("13200.00")
    assert finances.advance_available == D("0.00")


def test_balance_waits_for_the_years_indicators_when_the_authority_asks_for_them(
    convention, manager
):
    from associations.indicators.models import IndicatorReport
    from tests.associations.indicators.factories import IndicatorReportFactory, IndicatorSetFactory

    accept_required_justificatifs(convention)
    association = convention.association
    indicator_set = IndicatorSetFactory(
        authority=convention.authority,
        structure_type=association.structure_type,
        year=convention.year,
    )
    report = IndicatorReportFactory(association=association, indicator_set=indicator_set)
    with pytest.raises(ValidationError) as error:
        request_balance(convention, manager, realised="476765.00")
    assert "indicateurs de l'année (annexe V)" in messages(error)
    assert not convention.payments.exists()

    report.status = IndicatorReport.Status.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), manager
    report.save()
    balance = request_balance(convention, manager, realised="476765.00")
    assert balance.amount == D("33000.00")
