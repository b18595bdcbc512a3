"""The association's bank details (IBAN, BIC, RIB document).

A change of bank details is the classic fraud against authorities: a manager (or staff) submits
new details with the RIB, and they take effect only once staff of the authority validated them
against the document. The details in force are the latest validated row; every row and every
decision stays (with django-simple-history on top).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.access import scope


class BankDetailsQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user, authority="association__authority", association="association")

    def validated(self):
        return self.filter(status=BankDetails.Status.VALIDATED)

    def pending(self):
        return self.filter(status=BankDetails.Status.PENDING)

    def in_force(self, association):
        """The details payments go to: the latest validated row, or None."""
        return (
            self.validated()
            .filter(association=association)
            .select_related("decided_by")
            .order_by("-decided_at", "-pk")
            .first()
        )


class BankDetails(models.Model):
    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente de validation"
        VALIDATED = "valide", "Validé"
        REFUSED = "refuse", "Refusé"

    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.PROTECT,
        related_name="bank_details",
    )
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    holder = models.CharField("titulaire du compte", max_length=200)
    rib_file = models.FileField("RIB", upload_to="ribs/")
    rib_name = models.CharField("nom du fichier", max_length=200)
    rib_content_type = models.CharField("type du fichier", max_length=100)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PENDING)
    refusal_reason = models.TextField("motif du refus", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField("demandé le")
    # Who validated (or refused) it against the RIB, and when.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="examiné par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("examiné le", null=True, blank=True)

    history = HistoricalRecords()
    objects = BankDetailsQuerySet.as_manager()

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["association", "status", "-decided_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status="en_attente"),
                name="bank_details_one_pending_per_association",
                violation_error_message="Un changement de coordonnées bancaires est déjà en "
                "attente de validation.",
            ),
            models.CheckConstraint(
                condition=~Q(status="refuse") | ~Q(refusal_reason=""),
                name="bank_details_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="en_attente") | Q(decided_at__isnull=False),
                name="bank_details_decision_is_dated",
            ),
        ]

    def __str__(self):
        return f"{self.association} — {self.iban_display} ({self.get_status_display()})"

    @property
    def iban_display(self):
        """FR76 3000 6000 0112 3456 7890 189."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))
