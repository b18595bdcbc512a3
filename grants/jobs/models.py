"""The user-facing record of a background task: who asked, what, how far, the result."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from grants.access import scope
from grants.jobs.kinds import RESULT_LABELS


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the jobs of their authority; anyone sees the jobs they asked for."""
        if not user.is_authenticated:
            return self.none()
        own = self.filter(owner=user)
        if user.is_staff_member or user.is_platform_admin:
            return own | scope(self, user, authority="authority")
        return own

    def active(self):
        return self.filter(status__in=Job.ACTIVE)


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "attente", "En attente"
        RUNNING = "en_cours", "En cours"
        DONE = "termine", "Terminé"
        FAILED = "echec", "Échec"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("nature", max_length=40)
    label = models.CharField("intitulé", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.CASCADE,
        related_name="+",
    )
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    params = models.JSONField("paramètres", default=dict, blank=True)
    dedup_key = models.CharField(
        "clé d'unicité",
        max_length=200,
        help_text="Deux demandes identiques en attente ou en cours ne font qu'une tâche.",
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default="attente")
    done = models.PositiveIntegerField("fait", default=0)
    total = models.PositiveIntegerField("à faire", default=0)
    error = models.TextField("erreur", blank=True)
    message = models.TextField("compte rendu", blank=True)
    file = models.FileField("fichier", upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField("nom du fichier", max_length=150, blank=True)
    result_url = models.CharField("adresse du résultat", max_length=300, blank=True)
    back_url = models.CharField("page d'origine", max_length=300, blank=True)
    task_result_id = models.CharField("identifiant de la tâche", max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "tâche en arrière-plan"
        verbose_name_plural = "tâches en arrière-plan"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=Q(status__in=["attente", "en_cours"]),
                name="job_one_active_per_dedup_key",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("job_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def waiting_long(self):
        """Pending for more than a minute: probably no task worker is running."""
        import datetime

        from django.utils import timezone

        return (
            self.status == self.Status.PENDING
            and timezone.now() - self.created_at > datetime.timedelta(minutes=1)
        )

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def result_label(self):

        if self.file and self.filename:
            return f"Télécharger {self.filename}"
        return RESULT_LABELS.get(self.kind, "Voir le résultat")

    @property
    def result_link(self):
        """Where the result is: the job's own file, or the record the task updated."""
        if self.status != self.Status.DONE:
            return ""
        if self.file:
            return reverse("job_download", args=[self.pk])
        return self.result_url
