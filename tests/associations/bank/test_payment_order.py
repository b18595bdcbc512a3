"""A payment order (mandat) goes to the association's validated bank details, never to a
pending change; without validated details finance cannot order it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from associations.bank import services as bank
from associations.models import BankDetails
from grants.finance import services
from grants.models import Payment
from tests.associations.bank.factories import OTHER_BIC, OTHER_IBAN, rib_upload
from tests.grants.finance.factories import (
    CommitmentFactory,
    attach_forecast,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db


def certified_payment(**kwargs):
    convention = convention_with("66000.00", **kwargs)
    attach_forecast(convention, "953530.00")
    CommitmentFactory(grant=convention.grants.get(), amount=Decimal("66000.00"))
    manager = manager_of(convention)
    payment = services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.ADVANCE,
        amount=Decimal("1000.00"),
        signer_name="Fabien ALLI",
        certified=True,
    )
    services.payment_certify(payment, instructor_of(convention.authority))
    return payment, manager, finance_of(convention.authority)


def test_the_order_is_refused_without_validated_bank_details(client):
    payment, manager, finance = certified_payment(bank_details=False)
    # A pending change is not enough.
    bank.bank_details_submit(
        association=payment.convention.association,
        user=manager,
        iban=OTHER_IBAN,
        bic=OTHER_BIC,
        holder="SCS",
        rib=rib_upload(),
    )
    with pytest.raises(ValidationError) as error:
        services.payment_order(payment, finance, number="M-1", date=timezone.localdate())
    assert "pas de coordonnées bancaires validées" in error.value.messages[0]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CERTIFIED

    client.force_login(finance)
    page = client.get(reverse("payment_order", args=[payment.pk])).content.decode()
    assert "le mandat ne peut pas être émis" in page
    assert reverse("association_detail", args=[payment.convention.association_id]) in page


def test_the_order_page_shows_the_details_in_force_and_the_order_records_them(client):
    payment, manager, finance = certified_payment()
    in_force = BankDetails.objects.in_force(payment.convention.association)
    bank.bank_details_submit(
        association=payment.convention.association,
        user=manager,
        iban=OTHER_IBAN,
        bic=OTHER_BIC,
        holder="SCS",
        rib=rib_upload(),
    )
    client.force_login(finance)
    page = client.get(reverse("payment_order", args=[payment.pk])).content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in page
    assert "AGRIFRPP" in page
    assert reverse("bank_details_rib", args=[in_force.pk]) in page
    assert "FR14 2004" not in page  # the pending change is not paid to

    services.payment_order(payment, finance, number="M-1", date=timezone.localdate())
    payment.refresh_from_db()
    assert payment.bank_details == in_force
