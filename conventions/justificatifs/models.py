"""The documents an association hands in for its convention (seed SCS art. 6.2, 6.3 and 7).

Imported at the end of conventions/models.py; the app label stays "conventions".
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from conventions.files import sha256_of
from conventions.justificatifs.uploads import FORMATS, clean_filename
from conventions.models import Convention

# --------------------------------------------------------------------------------------------
# Justificatifs
# --------------------------------------------------------------------------------------------


def justificatif_upload_to(instance, filename):
    """A generated name, never the user's: justificatifs/<convention>/<uuid><extension>.

    The extension is the one of the detected format (set by the upload service); the user's
    file name is kept, cleaned, in `original_name` for display and downloads only."""
    extension = instance.extension_for_storage()
    return f"justificatifs/{instance.convention_id}/{uuid.uuid4().hex}{extension}"


def overdue_condition(today):
    """A justificatif past its due date and still not accepted (to hand in again, or to
    review): the "late" of the review queue and of the dashboards."""
    return Q(due_date__lt=today) & ~Q(status=Justificatif.Status.ACCEPTED)


class JustificatifQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The justificatifs of the conventions the user may see (managers: not drafts)."""
        if user.is_authenticated and not user.is_manager and not user.is_platform_admin:
            # Staff: the stored authority, without the join to the conventions (trap 9).
            return self.filter(authority_id=user.authority_id) if user.authority_id else self.none()
        return self.filter(convention__in=Convention.objects.visible_to(user))

    def current(self):
        return self.filter(is_current=True)


class Justificatif(models.Model):
    """A document the association hands in (seed SCS art. 6.2, 6.3 and 7).

    Every upload is a row: a new upload of the same kind (after a rejection, or to replace a file
    not yet examined) becomes the current one and the previous one stays in the history."""

    class Kind(models.TextChoices):
        COMPTES_ANNUELS = "comptes_annuels", "Comptes annuels (bilan, compte de résultat, annexe)"
        RAPPORT_CAC = "rapport_cac", "Rapport du commissaire aux comptes"
        RAPPORT_ACTIVITE = "rapport_activite", "Rapport d'activité de l'année écoulée"
        PV_AG = "pv_ag", "Procès-verbal de l'assemblée générale approuvant les comptes"
        COMPTE_RENDU_FINANCIER = "compte_rendu_financier", "Compte rendu financier (Cerfa 15059)"
        ATTESTATION_ASSURANCE = "attestation_assurance", "Attestation d'assurance"
        PREUVE_PUBLICITE = "preuve_publicite", "Preuve de la publicité (logos)"
        CHANGEMENT_GOUVERNANCE = "changement_gouvernance", "Changement de gouvernance ou statuts"

    class Status(models.TextChoices):
        SUBMITTED = "depose", "Déposé"
        ACCEPTED = "accepte", "Accepté"
        REJECTED = "refuse", "Refusé"

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="justificatifs"
    )
    # The convention's authority, stored for the staff's scoped queue and counts (trap 9);
    # save() copies it from the convention.
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    # The financial year justified (a CPO has justificatifs per year); filled on save.
    year = models.PositiveIntegerField("exercice justifié", null=True, blank=True)
    file = models.FileField("fichier", upload_to=justificatif_upload_to, max_length=200)
    original_name = models.CharField(
        "nom du fichier déposé",
        max_length=160,
        blank=True,
        help_text="Nettoyé ; sert à l'affichage et au nom du fichier téléchargé.",
    )
    content_type = models.CharField("format détecté", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    due_date = models.DateField("à remettre avant le", null=True, blank=True)
    is_current = models.BooleanField(
        "pièce en vigueur",
        default=True,
        help_text="Faux pour une pièce remplacée par un dépôt plus récent du même type.",
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = models.TextField("motif du refus", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)

    objects = JustificatifQuerySet.as_manager()

    class Meta:
        verbose_name = "justificatif"
        verbose_name_plural = "justificatifs"
        ordering = ["convention", "year", "kind", "-uploaded_at"]
        indexes = [
            models.Index(fields=["convention", "kind", "status"]),
            models.Index(fields=["status", "is_current", "uploaded_at"]),
            models.Index(
                fields=["authority", "uploaded_at"],
                condition=Q(is_current=True, status="depose"),
                name="justificatif_to_review",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refuse") | ~Q(rejection_reason=""),
                name="justificatif_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="depose") | Q(reviewed_at__isnull=False),
                name="justificatif_review_is_dated",
            ),
            models.UniqueConstraint(
                fields=["convention", "year", "kind"],
                condition=Q(is_current=True),
                name="justificatif_one_current_per_kind",
                violation_error_message="Une pièce de ce type est déjà en vigueur.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.file and not self.original_name:
            self.original_name = clean_filename(self.file.name)
        if self.file and not self.sha256:
            self.sha256 = sha256_of(self.file)
        if self.file and not self.size:
            self.size = self.file.size
        if self.authority_id is None and self.convention_id:
            self.authority_id = self.convention.authority_id
        if self.year is None and self.convention_id:
            self.year = self.convention.year
        if self.due_date is None and self.convention_id:
            self.due_date = self.convention.justificatifs_due_date_for(self.year)
        super().save(*args, **kwargs)

    def extension_for_storage(self):
        for detected in FORMATS.values():
            if detected.content_type == self.content_type:
                return detected.extension
        return ""

    @property
    def display_name(self):
        return self.original_name or f"{self.kind}{self.extension_for_storage()}"

    @property
    def is_required(self):
        return self.kind in self.convention.required_justificatif_kinds
