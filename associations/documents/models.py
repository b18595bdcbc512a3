"""« Mes documents »: the association's standing pieces (statutes, board list, RIB, approved
accounts, activity report), uploaded once and reused by every request while they are valid.

Every upload is a row; a new upload of the same kind replaces the current one, which stays in
the history. Imported at the end of associations/models.py; the app label stays "associations".
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.access import scope


class PieceKind(models.TextChoices):
    """The pieces a campaign may require (Cerfa 12156*06, « pièces à joindre »)."""

    STATUTES = "statuts", "Statuts en vigueur, datés et signés"
    BOARD = "bureau", "Liste des membres du conseil d'administration et du bureau"
    RIB = "rib", "Relevé d'identité bancaire (RIB)"
    ACCOUNTS = "comptes", "Derniers comptes annuels approuvés"
    ACTIVITY_REPORT = "rapport_activite", "Dernier rapport d'activité approuvé"
    AUDITOR_REPORT = "rapport_cac", "Rapport du commissaire aux comptes"
    OTHER = "autre", "Autre pièce"


# Pieces that cover one financial year (« derniers comptes approuvés »): they stay valid for
# the requests of the two years after the year they cover (accounts of 2024, approved in 2025,
# serve the 2026 campaign).
YEARLY_KINDS = {PieceKind.ACCOUNTS, PieceKind.ACTIVITY_REPORT, PieceKind.AUDITOR_REPORT}
YEARS_VALID = 2


def document_upload_to(instance, filename):
    """A generated name, never the user's (kept, cleaned, in `original_name`)."""
    extension = instance.extension or ""
    return f"association-documents/{instance.association_id}/{uuid.uuid4().hex}{extension}"


class AssociationDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user, authority="association__authority", association="association")

    def current(self):
        return self.filter(replaced_at__isnull=True)


class AssociationDocument(models.Model):
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField("pièce", max_length=20, choices=PieceKind.choices)
    label = models.CharField(
        "intitulé", max_length=200, blank=True, help_text="Ex. « Statuts modifiés par l'AGE »."
    )
    year = models.PositiveIntegerField(
        "exercice couvert",
        null=True,
        blank=True,
        help_text="Pour les comptes et les rapports : l'exercice qu'ils couvrent.",
    )
    valid_until = models.DateField(
        "valable jusqu'au",
        null=True,
        blank=True,
        help_text="Vide : valable tant qu'il n'est pas remplacé.",
    )
    file = models.FileField("fichier", upload_to=document_upload_to)
    original_name = models.CharField("nom du fichier", max_length=200)
    extension = models.CharField(max_length=10, blank=True, editable=False)
    content_type = models.CharField("type", max_length=120)
    size = models.PositiveIntegerField("taille")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("déposé le")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)

    objects = AssociationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document de l'association"
        verbose_name_plural = "documents de l'association"
        ordering = ["kind", "-uploaded_at"]
        indexes = [models.Index(fields=["association", "kind", "replaced_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind"],
                condition=Q(replaced_at__isnull=True) & ~Q(kind="autre"),
                name="association_document_one_current_per_kind",
                violation_error_message="L'association a déjà un document courant de ce type.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="association_document_year_range",
            ),
        ]

    def __str__(self):
        return self.label or self.get_kind_display()

    def is_valid_on(self, date: datetime.date, campaign_year: int | None = None) -> bool:
        """Whether this piece still serves a request closing on `date` for `campaign_year`."""
        if self.replaced_at is not None:
            return False
        if self.valid_until is not None and self.valid_until < date:
            return False
        if self.kind in YEARLY_KINDS and campaign_year is not None:
            return self.year is not None and self.year >= campaign_year - YEARS_VALID
        return True
