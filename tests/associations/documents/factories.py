"""Factories of « Mes documents »."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from associations.documents.models import AssociationDocument, PieceKind
from tests.factories import AssociationFactory, ManagerFactory


class AssociationDocumentFactory(DjangoModelFactory):
    """A current piece (statutes by default), valid with no end date."""

    class Meta:
        model = AssociationDocument

    association = factory.SubFactory(AssociationFactory)
    kind = PieceKind.STATUTES
    file = factory.django.FileField(filename="piece.pdf", data=b"%PDF-1.4 test")
    original_name = "piece.pdf"
    extension = ".pdf"
    content_type = "application/pdf"
    size = 13
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    uploaded_at = factory.LazyFunction(timezone.now)
    uploaded_by = factory.LazyAttribute(lambda o: ManagerFactory(associations=[o.association]))


def pieces_for(association, kinds, **kwargs):
    """A valid current document of each kind (yearly kinds: covering last year)."""
    year = timezone.localdate().year - 1
    return [
        AssociationDocumentFactory(association=association, kind=kind, year=year, **kwargs)
        for kind in kinds
    ]
