"""Grants of 23 000 € or less, which need no convention (décret 2001-495): the authority's
letter templates, the notification letter (lettre de notification, or arrêté attributif where
the assembly delegated) stored as a PDF with its SHA-256, and the compte rendu financier
(Cerfa 15059) of a grant affected to a specific expense. Imported at the end of grants/models.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.access import scope


class LetterKind(models.TextChoices):
    NOTIFICATION = "notification", "Lettre de notification"
    ARRETE = "arrete", "Arrêté attributif"


class TemplateKind(models.TextChoices):
    """What an authority's letter template is for: the acts notifying a grant (LetterKind) and
    the letter telling an association why its request was refused, which no grant carries."""

    NOTIFICATION = LetterKind.NOTIFICATION.value, LetterKind.NOTIFICATION.label
    ARRETE = LetterKind.ARRETE.value, LetterKind.ARRETE.label
    REFUSAL = "refus", "Lettre de refus d'une demande de subvention"


class GrantScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's; managers their own associations' only."""
        return scope(self, user, authority="grant__authority", association="grant__association")


class LetterTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user, authority="authority", association=None)


class LetterTemplate(models.Model):
    """The authority's text of a notification letter, of an arrêté attributif or of the refusal
    of a request (Markdown with {{ placeholders }}, see grants.smallgrants.template_texts); the
    figures come from the data."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="letter_templates",
    )
    kind = models.CharField("type d'acte", max_length=15, choices=TemplateKind.choices)
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte", help_text="Markdown ; champs entre doubles accolades.")
    conditions = models.TextField(
        "conditions",
        help_text="Conditions de versement et d'emploi ; Markdown avec les mêmes champs.",
    )
    signatory_title = models.CharField(
        "qualité du signataire", max_length=150, help_text="Ex. « Pour la Présidente »."
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = "modèle de lettre de notification"
        verbose_name_plural = "modèles de lettres de notification"
        ordering = ["authority", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "kind"],
                name="letter_template_one_per_kind",
                violation_error_message="La collectivité a déjà un modèle de ce type.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.authority}"

    def clean(self):
        """Only the fields its kind of letter knows (a refusal has no grant, hence no amount
        granted nor deliberation): an unknown {{ field }} would print empty."""
        from django.core.exceptions import ValidationError

        from grants.smallgrants.template_texts import validate_placeholders

        errors = {}
        for name in ("title", "body", "conditions"):
            try:
                validate_placeholders(getattr(self, name) or "", self.kind)
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)


class NotificationLetter(models.Model):
    """The decision notified to the association, as generated (PDF and its SHA-256)."""

    grant = models.OneToOneField(
        "grants.Grant",
        verbose_name="subvention",
        on_delete=models.PROTECT,
        related_name="letter",
    )
    kind = models.CharField("type d'acte", max_length=15, choices=LetterKind.choices)
    reference = models.CharField("référence", max_length=50)
    date = models.DateField("date de la lettre")
    pdf_file = models.FileField("PDF", upload_to="letters/", blank=True)
    pdf_sha256 = models.CharField("SHA-256 du PDF", max_length=64, blank=True)
    generated_at = models.DateTimeField("généré le", null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="généré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = GrantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "lettre de notification"
        verbose_name_plural = "lettres de notification"
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pdf_file="") | ~Q(pdf_sha256=""), name="letter_pdf_has_sha256"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} n° {self.reference}"


class FinancialReport(models.Model):
    """The compte rendu financier (Cerfa 15059) handed in by the association."""

    grant = models.OneToOneField(
        "grants.Grant",
        verbose_name="subvention",
        on_delete=models.PROTECT,
        related_name="financial_report",
    )
    file = models.FileField("fichier", upload_to="financial-reports/")
    original_name = models.CharField("nom du fichier", max_length=200)
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

    objects = GrantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "compte rendu financier"
        verbose_name_plural = "comptes rendus financiers"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"Compte rendu financier — {self.grant}"
