"""Factories for bank details (tests/associations/bank/)."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from associations.models import BankDetails
from tests.factories import AssociationFactory

VALID_IBAN = "FR7630006000011234567890189"
VALID_BIC = "AGRIFRPP"
# Another valid French IBAN (Banque de France's test account), for changes.
OTHER_IBAN = "FR1420041010050500013M02606"
OTHER_BIC = "PSSTFRPPMAR"


def rib_upload(name="rib.pdf"):
    from tests.conventions.justificatifs.factories import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(text="RIB"), content_type="application/pdf")


class BankDetailsFactory(DjangoModelFactory):
    """Validated details unless told otherwise."""

    class Meta:
        model = BankDetails

    association = factory.SubFactory(AssociationFactory)
    iban = VALID_IBAN
    bic = VALID_BIC
    holder = factory.LazyAttribute(lambda o: o.association.name)
    rib_file = factory.django.FileField(filename="rib.pdf", data=b"%PDF-1.4 test")
    rib_name = "rib.pdf"
    rib_content_type = "application/pdf"
    status = BankDetails.Status.VALIDATED
    requested_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)


def with_bank_details(association):
    """Validated bank details for the association, unless it already has some: a payment
    order (mandat) needs them."""
    return BankDetails.objects.in_force(association) or BankDetailsFactory(association=association)
