"""The versement unique of a grant of 23 000 € or less: request → service fait → mandat → paid,
with the same locks and separation of duties as the payments of a convention."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grants.finance import services as finance
from grants.models import BudgetLine, Payment
from grants.smallgrants import services
from tests.grants.smallgrants.factories import commit, people, small_grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def grant(fake_letter):
    grant = small_grant()
    grant.people = people(grant.authority, grant.association)
    return grant


def notify(grant):
    return services.letter_generate(grant=grant, user=grant.people["instructor"])


def request(grant, user=None, amount=None):
    return services.single_payment_request(
        grant=grant,
        user=user or grant.people["manager"],
        signer_name="Marie MARTIN, Présidente",
        certified=True,
        amount=amount,
    )


def test_the_whole_chain_pays_the_grant_once(grant, django_capture_on_commit_callbacks):
    notify(grant)
    commitment = commit(grant)
    with django_capture_on_commit_callbacks(execute=True):
        payment = request(grant)
    assert payment.kind == Payment.Kind.SINGLE
    assert payment.grant_id == grant.pk and payment.convention_id is None
    assert payment.amount == Decimal("8000.00") and payment.amount_due == Decimal("8000.00")
    assert payment.certification_text == services.SINGLE_CERTIFICATION_TEXT
    # The instructors are told, with a link to the grant's page.
    instructor = grant.people["instructor"]
    note = instructor.notifications.get()
    assert "Versement unique de 8\u00a0000,00\u00a0€" in note.message
    assert note.url == reverse("small_grant_detail", args=[grant.pk])

    finance.payment_certify(payment, instructor)
    with django_capture_on_commit_callbacks(execute=True):
        finance.payment_order(payment, grant.people["finance"], number="M-2024-0042", date=TODAY())
    finance.payment_record_paid(payment, grant.people["finance"], date=TODAY())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.commitment == commitment
    assert "mandat n° M-2024-0042" in grant.people["manager"].notifications.get().message
    line = BudgetLine.objects.with_consumption().get(pk=commitment.budget_line_id)
    assert line.paid == Decimal("8000.00") and line.ordered == Decimal("8000.00")


def test_staff_propose_it_when_the_association_has_no_account(grant):
    notify(grant)
    payment = request(grant, user=grant.people["instructor"])
    assert payment.certification_text == services.STAFF_PROPOSAL_TEXT
    assert payment.requested_by == grant.people["instructor"]


def test_a_second_single_payment_is_refused(grant):
    notify(grant)
    request(grant, amount=Decimal("5000.00"))
    with pytest.raises(ValidationError, match="déjà été demandé"):
        request(grant, amount=Decimal("3000.00"))
    assert Payment.objects.filter(grant=grant).count() == 1


def test_after_a_rejection_a_new_request_is_possible(grant):
    notify(grant)
    first = request(grant)
    finance.payment_reject(first, grant.people["instructor"], reason="RIB manquant")
    second = request(grant)
    assert second.status == Payment.Status.REQUESTED


def test_the_database_refuses_two_live_single_payments(grant):
    notify(grant)
    payment = request(grant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            grant=grant,
            kind=Payment.Kind.SINGLE,
            amount=Decimal("100.00"),
            amount_due=grant.amount,
            requested_at=payment.requested_at,
            requested_by=payment.requested_by,
            signer_name="x",
            certification_text="y",
        )


def test_before_executory_it_is_refused_with_what_is_missing(fake_letter):
    grant = small_grant(executory=False)
    grant.people = people(grant.authority, grant.association)
    notify(grant)  # the decision is adopted: it can be notified before it is executory
    with pytest.raises(ValidationError) as error:
        request(grant)
    message = " ".join(error.value.messages)
    assert "n'est pas encore exécutoire" in message
    assert "la transmission en préfecture" in message and "la publication" in message
    blockers = services.single_payment_blockers(grant)
    assert blockers[0].url == reverse("deliberation_detail", args=[grant.deliberation_id])
    assert not Payment.objects.filter(grant=grant).exists()


def test_before_the_letter_it_is_refused(grant):
    with pytest.raises(ValidationError, match="n'est pas encore notifiée"):
        request(grant)


def test_above_the_grant_it_is_refused(grant):
    notify(grant)
    with pytest.raises(ValidationError) as error:
        request(grant, amount=Decimal("8000.01"))
    assert error.value.message_dict["amount"] == [
        "Le versement ne peut pas dépasser le montant de la subvention (8\u00a0000,00\u00a0€)."
    ]


def test_a_grant_above_23000_gets_no_single_payment(fake_letter):
    grant = small_grant(amount="23000.01")
    grant.people = people(grant.authority, grant.association)
    with pytest.raises(ValidationError, match="dépasse 23 000 €"):
        request(grant)
    with pytest.raises(ValidationError, match="convention signée est obligatoire"):
        notify(grant)
    # And the database says the same, whatever the code.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            grant=grant,
            kind=Payment.Kind.SINGLE,
            amount=Decimal("100.00"),
            amount_due=grant.amount,
            requested_at=timezone.now(),
            requested_by=grant.people["manager"],
            signer_name="x",
            certification_text="y",
        )


def test_exactly_23000_is_a_small_grant(fake_letter):
    grant = small_grant(amount="23000.00")
    grant.people = people(grant.authority, grant.association)
    notify(grant)
    assert request(grant).amount == Decimal("23000.00")


def test_the_database_refuses_a_payment_with_neither_or_both_paths(grant):
    base = {
        "amount": Decimal("100.00"),
        "requested_at": timezone.now(),
        "requested_by": grant.people["manager"],
        "signer_name": "x",
        "certification_text": "y",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(kind=Payment.Kind.SINGLE, amount_due=Decimal("100.00"), **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(grant=grant, kind=Payment.Kind.ADVANCE, **base)


def test_separation_of_duties_and_roles(grant):
    notify(grant)
    payment = request(grant)
    with pytest.raises(PermissionDenied):
        finance.payment_certify(payment, grant.people["finance"])
    with pytest.raises(PermissionDenied):
        finance.payment_certify(payment, grant.people["foreign_instructor"])
    finance.payment_certify(payment, grant.people["instructor"])
    with pytest.raises(PermissionDenied):
        finance.payment_order(payment, grant.people["instructor"], number="M1", date=TODAY())
    with pytest.raises(PermissionDenied):
        finance.payment_order(payment, grant.people["foreign_finance"], number="M1", date=TODAY())
    with pytest.raises(PermissionDenied):
        request(grant, user=grant.people["other_manager"])


def test_the_mandat_needs_the_commitment(grant):
    notify(grant)
    payment = request(grant)
    finance.payment_certify(payment, grant.people["instructor"])
    with pytest.raises(ValidationError, match="n'est pas engagée"):
        finance.payment_order(payment, grant.people["finance"], number="M1", date=TODAY())


def test_the_mandat_number_is_unique_across_both_paths(grant):
    notify(grant)
    commit(grant)
    payment = request(grant)
    finance.payment_certify(payment, grant.people["instructor"])
    finance.payment_order(payment, grant.people["finance"], number="M-7", date=TODAY())
    other = small_grant(
        grant.authority,
        association=grant.people["other_manager"].managed_associations.get(),
        deliberation=grant.deliberation,
    )
    services.letter_generate(grant=other, user=grant.people["instructor"])
    commit(other)
    second = request(other, user=grant.people["instructor"])
    finance.payment_certify(second, grant.people["other_instructor"])
    with pytest.raises(ValidationError, match="M-7 est déjà utilisé"):
        finance.payment_order(second, grant.people["finance"], number="M-7", date=TODAY())


def test_who_sees_the_single_payment(grant):
    notify(grant)
    payment = request(grant)
    p = grant.people
    assert list(Payment.objects.visible_to(p["manager"])) == [payment]
    assert list(Payment.objects.visible_to(p["instructor"])) == [payment]
    assert not Payment.objects.visible_to(p["other_manager"]).exists()
    assert not Payment.objects.visible_to(p["foreign_instructor"]).exists()


# ---- pages -----------------------------------------------------------------------------------


def test_the_pages_answer_404_to_other_associations_and_authorities(client, grant):
    notify(grant)
    payment = request(grant)
    urls = [
        reverse("small_grant_detail", args=[grant.pk]),
        reverse("small_grant_letter_download", args=[grant.pk]),
        reverse("single_payment_request", args=[grant.pk]),
        reverse("payment_certify", args=[payment.pk]),
    ]
    for name in ("other_manager", "foreign_instructor", "foreign_finance"):
        client.force_login(grant.people[name])
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
    client.force_login(grant.people["manager"])
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[1])["Content-Type"] == "application/pdf"
    assert client.get(urls[3]).status_code == 403


def test_the_request_page_keeps_the_input_and_says_why(client, grant):
    notify(grant)
    client.force_login(grant.people["manager"])
    url = reverse("single_payment_request", args=[grant.pk])
    response = client.post(
        url, {"amount": "9 000,00", "signer_name": "Marie MARTIN", "certified": "on"}
    )
    assert response.status_code == 200
    assert "ne peut pas dépasser le montant de la subvention" in response.text
    assert 'value="Marie MARTIN"' in response.text
    response = client.post(
        url, {"amount": "8 000,00", "signer_name": "Marie MARTIN", "certified": "on"}
    )
    assert response.status_code == 302
    page = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert "8\u00a0000,00\u00a0€" in page and "À certifier" in page


def test_the_grant_page_lists_what_is_missing_with_links(client, fake_letter):
    grant = small_grant(executory=False)
    grant.people = people(grant.authority, grant.association)
    client.force_login(grant.people["instructor"])
    page = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert "n&#x27;est pas encore exécutoire" in page or "n'est pas encore exécutoire" in page
    assert reverse("deliberation_detail", args=[grant.deliberation_id]) in page
    assert "Générer la lettre de notification" in page


def test_the_queue_and_the_export_show_single_payments(client, grant):
    notify(grant)
    request(grant)
    client.force_login(grant.people["finance"])
    page = client.get(reverse("finance_queue")).text
    assert "Les Petits Débrouillards" in page and "Versement unique" in page
    assert reverse("small_grant_detail", args=[grant.pk]) in page
    filtered = client.get(reverse("finance_queue"), {"association": grant.association_id}).text
    assert "Versement unique" in filtered
    response = client.get(reverse("payment_export"))
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][0] == "Les Petits Débrouillards" and rows[0][2] == 2024
    assert rows[0][3] == "Versement unique" and rows[0][5] == 8000


def test_the_order_page_offers_the_grants_commitment(client, grant):
    notify(grant)
    commitment = commit(grant)
    payment = request(grant)
    finance.payment_certify(payment, grant.people["instructor"])
    client.force_login(grant.people["finance"])
    url = reverse("payment_order", args=[payment.pk])
    page = client.get(url).text
    assert f"n° {commitment.number}" in page
    response = client.post(
        url,
        {"number": "M-1", "date": TODAY().strftime("%d/%m/%Y"), "commitment": commitment.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("small_grant_detail", args=[grant.pk])
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.ORDERED


def test_paid_date_not_before_the_mandat(grant):
    notify(grant)
    commit(grant)
    payment = request(grant)
    finance.payment_certify(payment, grant.people["instructor"])
    finance.payment_order(payment, grant.people["finance"], number="M-1", date=TODAY())
    with pytest.raises(ValidationError):
        finance.payment_record_paid(
            payment, grant.people["finance"], date=TODAY() - datetime.timedelta(days=1)
        )


def test_the_queue_with_single_payments_runs_a_fixed_number_of_queries(
    client, grant, django_assert_num_queries
):
    from tests.factories import AssociationFactory

    notify(grant)
    request(grant)
    client.force_login(grant.people["finance"])
    url = reverse("finance_queue")
    client.get(url)
    with django_assert_num_queries(5):
        first = client.get(url).text
    for index in range(4):
        other = small_grant(
            grant.authority,
            association=AssociationFactory(authority=grant.authority, name=f"Asso {index}"),
            deliberation=grant.deliberation,
        )
        services.letter_generate(grant=other, user=grant.people["instructor"])
        request(other, user=grant.people["instructor"])
    with django_assert_num_queries(5):
        text = client.get(url).text
    assert text.count("Versement unique") > first.count("Versement unique")
    assert "Asso 3" in text


def test_the_staff_home_counts_a_paid_single_payment(grant, client):
    notify(grant)
    commit(grant)
    payment = request(grant)
    finance.payment_certify(payment, grant.people["instructor"])
    finance.payment_order(payment, grant.people["finance"], number="M-2024-0043", date=TODAY())
    finance.payment_record_paid(payment, grant.people["finance"], date=TODAY())
    client.force_login(grant.people["finance"])
    row = client.get(reverse("home")).context["grant_totals"][0]
    assert (row["year"], row["committed"], row["paid"]) == (
        grant.year, Decimal("8000.00"), Decimal("8000.00"),
    )  # fmt: skip
