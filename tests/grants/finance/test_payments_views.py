"""Payment pages: the association's requests, staff and finance steps, the queue, clawbacks."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Clawback, Payment, Role
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import (
    ClawbackFactory,
    CommitmentFactory,
    PaymentFactory,
    accept_required_justificatifs,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def convention():
    convention = convention_with("66000.00")
    attach_forecast(convention, "953530.00")
    CommitmentFactory(grant=convention.grants.get(), number="2023-EJ-001847")
    return convention


@pytest.fixture
def manager(convention):
    return manager_of(convention)


@pytest.fixture
def instructor(convention):
    return instructor_of(convention.authority)


@pytest.fixture
def finance(convention):
    return finance_of(convention.authority)


def advance_form(amount="52 800,00", **extra):
    return {
        "amount": amount,
        "signer_name": "M. Fabien ALLI, Président",
        "certified": "on",
        **extra,
    }


def request_url(convention, kind="acompte"):
    return reverse("payment_request", args=[convention.pk, kind])


# ---- the association's requests -------------------------------------------------------------


def test_the_manager_requests_the_advance_of_80_percent(client, convention, manager):
    client.force_login(manager)
    response = client.get(request_url(convention))
    assert response.status_code == 200
    page = response.content.decode()
    assert "certifie la réalité de la dépense et son utilisation conforme à l" in page
    assert response.context["form"].initial["amount"] == D("52800.00")
    response = client.post(request_url(convention), advance_form())
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.kind, payment.requested_by) == (
        D("52800.00"),
        Payment.Kind.ADVANCE,
        manager,
    )


def test_an_advance_one_cent_too_high_is_refused_on_the_page(client, convention, manager):
    client.force_login(manager)
    response = client.post(request_url(convention), advance_form("52 800,01"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "soit 52\xa0800,00\xa0€ (art. 4.3)" in page
    assert 'value="52 800,01"' in page  # nothing typed is lost
    assert not Payment.objects.exists()


def test_the_certification_must_be_ticked(client, convention, manager):
    client.force_login(manager)
    data = advance_form()
    del data["certified"]
    response = client.post(request_url(convention), data)
    assert "Cochez la certification" in response.content.decode()
    assert not Payment.objects.exists()


def test_the_balance_page_waits_for_the_justificatifs(client, convention, manager):
    client.force_login(manager)
    response = client.get(request_url(convention, "solde"))
    page = response.content.decode()
    assert "Comptes annuels" in page
    assert "Envoyer la demande" not in page


def test_the_manager_requests_the_balance_with_realised_expenses(client, convention, manager):
    accept_required_justificatifs(convention)
    client.force_login(manager)
    response = client.post(
        request_url(convention, "solde"),
        {"realised_expenses": "800 000", "signer_name": "Fabien ALLI", "certified": "on"},
    )
    assert response.status_code == 302
    balance = Payment.objects.get(kind=Payment.Kind.BALANCE)
    assert (balance.amount, balance.amount_due) == (D("55373.19"), D("55373.19"))


def test_staff_cannot_request_a_payment(client, convention, instructor, finance):
    for user in (instructor, finance):
        client.force_login(user)
        assert client.get(request_url(convention)).status_code == 403


def test_another_associations_manager_gets_404(client, convention):
    other = convention_with(association__authority=convention.authority)
    client.force_login(manager_of(other))
    assert client.get(reverse("payment_timeline", args=[convention.pk])).status_code == 404
    assert client.get(request_url(convention)).status_code == 404
    payment = PaymentFactory(convention=convention)
    for name in ("payment_certify", "payment_order", "payment_paid", "payment_reject"):
        assert client.get(reverse(name, args=[payment.pk])).status_code == 404


def test_managers_see_their_timeline_without_budget_lines(client, convention, manager, finance):
    PaymentFactory(convention=convention, requested_by=manager)
    client.force_login(manager)
    response = client.get(reverse("payment_timeline", args=[convention.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "52\xa0800,00\xa0€" in page
    assert "2023-EJ-001847" not in page  # the commitment and its budget line are internal
    assert "/finances/lignes/" not in page
    for name in ("finance_queue", "payment_export", "clawback_list", "clawback_export"):
        assert client.get(reverse(name)).status_code == 403, name
    assert Payment.objects.visible_to(ManagerFactory(associations=[])).count() == 0


# ---- staff and finance steps -----------------------------------------------------------------


def test_instructor_certifies_finance_orders_then_records_the_payment(
    client, convention, manager, instructor, finance
):
    payment = PaymentFactory(convention=convention, requested_by=manager)
    client.force_login(finance)
    assert client.post(reverse("payment_certify", args=[payment.pk])).status_code == 403
    client.force_login(instructor)
    response = client.get(reverse("payment_certify", args=[payment.pk]))
    assert "Certifier le service fait" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUESTED  # a GET changes nothing
    client.post(reverse("payment_certify", args=[payment.pk]))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CERTIFIED
    assert client.get(reverse("payment_order", args=[payment.pk])).status_code == 403

    client.force_login(finance)
    today = timezone.localdate().isoformat()
    commitment = convention.grants.get().commitment
    response = client.post(
        reverse("payment_order", args=[payment.pk]),
        {"number": "2023-M-004512", "date": today, "commitment": commitment.pk},
    )
    assert response.status_code == 302
    client.post(reverse("payment_paid", args=[payment.pk]), {"date": today})
    payment.refresh_from_db()
    assert (payment.status, payment.order_number, payment.paid_date.isoformat()) == (
        Payment.Status.PAID,
        "2023-M-004512",
        today,
    )
    response = client.get(reverse("payment_timeline", args=[convention.pk]))
    page = response.content.decode()
    assert "mandat n° 2023-M-004512" in page
    assert "Acompte payé" in page


def test_the_certifier_cannot_order_the_same_payment_on_the_page(client, convention, manager):
    admin = UserFactory(role=Role.ADMIN, authority=None)
    payment = PaymentFactory(convention=convention, requested_by=manager)
    client.force_login(admin)
    client.post(reverse("payment_certify", args=[payment.pk]))
    response = client.post(
        reverse("payment_order", args=[payment.pk]),
        {
            "number": "M-1",
            "date": timezone.localdate().isoformat(),
            "commitment": convention.grants.get().commitment.pk,
        },
    )
    assert response.status_code == 200
    assert "Séparation des tâches" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CERTIFIED


def test_a_request_is_rejected_with_a_reason(client, convention, manager, instructor):
    payment = PaymentFactory(convention=convention, requested_by=manager)
    client.force_login(instructor)
    response = client.post(reverse("payment_reject", args=[payment.pk]), {"reason": ""})
    assert response.status_code == 200
    client.post(reverse("payment_reject", args=[payment.pk]), {"reason": "RIB manquant"})
    payment.refresh_from_db()
    assert (payment.status, payment.rejection_reason) == (Payment.Status.REJECTED, "RIB manquant")
    client.force_login(manager)
    response = client.get(reverse("payment_timeline", args=[convention.pk]))
    assert "RIB manquant" in response.content.decode()


def test_another_authority_gets_404_on_payments(client, convention):
    payment = PaymentFactory(convention=convention)
    client.force_login(instructor_of(AuthorityFactory()))
    assert client.get(reverse("payment_timeline", args=[convention.pk])).status_code == 404
    assert client.post(reverse("payment_certify", args=[payment.pk])).status_code == 404
    client.force_login(finance_of(AuthorityFactory()))
    assert client.get(reverse("clawback_create", args=[convention.pk])).status_code == 404


def test_viewers_read_the_timeline_but_cannot_act(client, convention):
    payment = PaymentFactory(convention=convention)
    client.force_login(UserFactory(role=Role.VIEWER, authority=convention.authority))
    assert client.get(reverse("payment_timeline", args=[convention.pk])).status_code == 200
    assert client.get(reverse("finance_queue")).status_code == 200
    assert client.post(reverse("payment_certify", args=[payment.pk])).status_code == 403
    assert client.post(reverse("payment_order", args=[payment.pk])).status_code == 403


# ---- clawbacks -------------------------------------------------------------------------------


def paid_advance(convention, manager, instructor, finance):
    return PaymentFactory(
        convention=convention,
        requested_by=manager,
        status=Payment.Status.PAID,
        certified_by=instructor,
        certified_at=timezone.now(),
        commitment=convention.grants.get().commitment,
        order_number="M-1",
        order_date=timezone.localdate(),
        ordered_by=finance,
        paid_date=timezone.localdate(),
    )


def test_finance_records_the_clawback_of_the_excess(
    client, convention, manager, instructor, finance
):
    paid_advance(convention, manager, instructor, finance)
    client.force_login(instructor)
    assert client.get(reverse("clawback_create", args=[convention.pk])).status_code == 403
    client.force_login(finance)
    # Realised expenses not known yet: the button is there, the form asks for them.
    timeline = client.get(reverse("payment_timeline", args=[convention.pk])).content.decode()
    assert reverse("clawback_create", args=[convention.pk]) in timeline
    form = client.get(reverse("clawback_create", args=[convention.pk]))
    assert "realised_expenses" in form.context["form"].fields
    data = {
        "realised_expenses": "381 412",
        "amount": "26 400,00",
        "reason": "Dépenses réalisées inférieures au prévisionnel",
        "title_number": "T-2024-118",
        "title_date": timezone.localdate().isoformat(),
    }
    response = client.post(
        reverse("clawback_create", args=[convention.pk]), {**data, "amount": "26 400,01"}
    )
    assert "trop-perçu de 26\xa0400,00\xa0€" in response.content.decode()
    response = client.post(reverse("clawback_create", args=[convention.pk]), data)
    assert response.status_code == 302
    clawback = Clawback.objects.get()
    assert (clawback.amount, clawback.amount_due) == (D("26400.00"), D("26400.00"))
    page = client.get(reverse("payment_timeline", args=[convention.pk])).content.decode()
    assert "titre n° T-2024-118" in page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_clawback_list_runs_a_fixed_number_of_queries(client, rows, django_assert_num_queries):
    authority = AuthorityFactory()
    for _ in range(rows):
        ClawbackFactory(convention=convention_with(association__authority=authority))
    client.force_login(finance_of(authority))
    # session, user, the count with the total (one aggregate), page rows (the association is a
    # search field)
    with django_assert_num_queries(4):
        response = client.get(reverse("clawback_list"))
    assert response.context["page"].paginator.count == rows
    assert response.context["total"] == sum(c.amount for c in Clawback.objects.all())


def test_the_clawback_list_filters_a_period(client, convention):
    ClawbackFactory(convention=convention, title_date=datetime.date(2024, 3, 1))
    ClawbackFactory(convention=convention, title_date=datetime.date(2024, 9, 1))
    client.force_login(finance_of(convention.authority))
    response = client.get(reverse("clawback_list"), {"start": "2024-06-01", "end": "2024-12-31"})
    assert [c.title_date.month for c in response.context["page"]] == [9]


# ---- the queue -------------------------------------------------------------------------------


def make_payments(authority, rows):
    """`rows` payments in every state, on conventions of `authority`."""
    finance = finance_of(authority)
    instructor = instructor_of(authority)
    states = [Payment.Status.REQUESTED, Payment.Status.CERTIFIED, Payment.Status.PAID]
    for i in range(rows):
        convention = convention_with(association__authority=authority)
        status = states[i % 3]
        fields = {"convention": convention, "status": status}
        if status != Payment.Status.REQUESTED:
            fields.update(certified_by=instructor, certified_at=timezone.now())
        if status == Payment.Status.PAID:
            fields.update(
                commitment=CommitmentFactory(grant=convention.grants.get()),
                order_number=f"M-{i}",
                order_date=timezone.localdate(),
                ordered_by=finance,
                paid_date=timezone.localdate(),
            )
        PaymentFactory(**fields)
    return finance


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_runs_a_fixed_number_of_queries(client, rows, django_assert_num_queries):
    authority = AuthorityFactory()
    finance = make_payments(authority, rows)
    client.force_login(finance)
    # session, user, authority (header), count, page rows, state counts
    with django_assert_num_queries(5):
        response = client.get(reverse("finance_queue"))
    assert response.context["page"].paginator.count == rows


def test_the_queue_counts_and_filters_each_state(client):
    authority = AuthorityFactory()
    finance = make_payments(authority, 6)
    late = Payment.objects.filter(status=Payment.Status.CERTIFIED).first()
    late.certified_at = timezone.now() - datetime.timedelta(days=31)
    late.save()
    client.force_login(finance)
    response = client.get(reverse("finance_queue"))
    assert response.context["counts"] == {
        "to_certify": 2,
        "to_order": 2,
        "overdue": 1,
        "ordered": 0,
    }
    for state, expected in [("a_certifier", 2), ("a_mandater", 2), ("en_retard", 1), ("paye", 2)]:
        response = client.get(reverse("finance_queue"), {"state": state})
        assert response.context["page"].paginator.count == expected, state
    response = client.get(reverse("finance_queue"), {"state": "en_retard"})
    assert "À mandater, en retard" in response.content.decode()


def test_the_queue_filters_a_period_on_the_chosen_date(client):
    authority = AuthorityFactory()
    finance = make_payments(authority, 3)
    Payment.objects.filter(status=Payment.Status.PAID).update(
        order_date=datetime.date(2024, 1, 10), paid_date=datetime.date(2024, 1, 20)
    )
    client.force_login(finance)
    params = {"period_on": "paid_date", "start": "2024-01-01", "end": "2024-01-31"}
    response = client.get(reverse("finance_queue"), params)
    assert response.context["page"].paginator.count == 1
    params["end"] = "2024-01-15"
    assert client.get(reverse("finance_queue"), params).context["page"].paginator.count == 0


@pytest.mark.parametrize("rows", [3, 30])
def test_the_timeline_runs_a_fixed_number_of_queries(
    client, convention, manager, rows, django_assert_num_queries
):
    for _ in range(rows):
        PaymentFactory(
            convention=convention,
            requested_by=manager,
            status=Payment.Status.REJECTED,
            rejection_reason="Pièce manquante",
            rejected_by=instructor_of(convention.authority),
            rejected_at=timezone.now(),
        )
    client.force_login(finance_of(convention.authority))
    # A fixed set: session, user, convention, payments, clawbacks, the sums, the due amount's
    # inputs (grants, amendments, forecast and realised budgets, typed expenses), the required
    # justificatifs, the header's authority, the commitments, and the history (one query per
    # kind: commitments, payments, clawbacks; the records before them when there are some).
    with django_assert_num_queries(21):
        response = client.get(reverse("payment_timeline", args=[convention.pk]))
    assert len(response.context["payments"]) == rows


def test_the_convention_page_links_to_its_payments(client, convention, manager):
    for user in (manager, instructor_of(convention.authority)):
        client.force_login(user)
        response = client.get(convention.get_absolute_url())
        assert response.status_code == 200
        assert reverse("payment_timeline", args=[convention.pk]) in response.content.decode()
