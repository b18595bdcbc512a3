"""On-screen notifications (also sent by email) and the due-date reminders already sent.

Imported at the end of conventions/models.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        PAYMENT_REQUESTED = "versement_demande", "Demande de versement reçue"
        PAYMENT_ORDERED = "versement_mandate", "Versement mandaté"
        JUSTIFICATIF_SUBMITTED = "justificatif_depose", "Justificatif déposé"
        JUSTIFICATIF_ACCEPTED = "justificatif_accepte", "Justificatif accepté"
        JUSTIFICATIF_REJECTED = "justificatif_refuse", "Justificatif refusé"
        DUE_DATE = "echeance", "Échéance des justificatifs"
        REQUEST = "demande", "Demande de subvention"
        ACCESS_REQUESTED = "acces_demande", "Demande d'accès à une association"
        ACCESS_ACCEPTED = "acces_accepte", "Accès à une association accepté"
        ACCESS_REFUSED = "acces_refuse", "Accès à une association refusé"
        ASSOCIATION_CREATED = "association_creee", "Association créée par un gestionnaire"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    message = models.TextField("message")
    url = models.CharField("lien", max_length=300, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.recipient}"


class ReminderSent(models.Model):
    """One due-date reminder of one convention, sent once (send_reminders runs daily)."""

    class Stage(models.TextChoices):
        DAYS_30 = "j30", "30 jours avant l'échéance"
        DAYS_7 = "j7", "7 jours avant l'échéance"
        OVERDUE = "retard", "Échéance dépassée"

    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.CASCADE, related_name="reminders_sent"
    )
    stage = models.CharField("relance", max_length=10, choices=Stage.choices)
    due_date = models.DateField("échéance")
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    recipients = models.PositiveIntegerField("destinataires", default=0)

    class Meta:
        verbose_name = "relance envoyée"
        verbose_name_plural = "relances envoyées"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "stage", "due_date"], name="reminder_sent_once"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["j30", "j7", "retard"]), name="reminder_stage_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} — {self.convention}"
