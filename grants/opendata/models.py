"""Imports of past grants: the batch (one uploaded file), its refused rows, and the SCDL values
of each imported grant that have no home elsewhere (so that it re-exports as it was read).

Imported at the end of grants/models.py; the app label stays `grants`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.access import scope


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user, authority="authority")


class ImportBatch(models.Model):
    """One file of past grants, previewed (dry run) and then imported, or not."""

    class Status(models.TextChoices):
        UPLOADED = "depose", "Déposé"
        PREVIEWING = "analyse", "Analyse en cours"
        NEEDS_MAPPING = "colonnes", "Colonnes à faire correspondre"
        PREVIEWED = "analyse_terminee", "Analysé, en attente de votre choix"
        IMPORTING = "import", "Import en cours"
        DONE = "importe", "Importé"
        CANCELLED = "abandonne", "Rien importé"
        FAILED = "illisible", "Fichier illisible"

    RUNNING = (Status.PREVIEWING, Status.IMPORTING)

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="import_batches",
        null=True,
        blank=True,
        help_text="La collectivité qui importe ; vide pour l'administrateur de la plateforme.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField("fichier", upload_to="imports/", blank=True)
    original_name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille", default=0)
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    create_authorities = models.BooleanField("créer les collectivités inconnues", default=False)
    column_mapping = models.JSONField(
        "correspondance des colonnes",
        default=dict,
        blank=True,
        help_text="Colonne SCDL → en-tête du fichier, saisie quand les noms ne correspondent pas.",
    )
    file_format = models.CharField("format", max_length=40, blank=True)
    header_line = models.PositiveIntegerField("ligne d'en-tête", default=0)
    defaults_applied = models.JSONField("valeurs appliquées aux colonnes absentes", default=dict)
    rows_valid = models.PositiveIntegerField("lignes valides", default=0)
    rows_refused = models.PositiveIntegerField("lignes refusées", default=0)
    rows_duplicate = models.PositiveIntegerField("lignes déjà présentes", default=0)
    rows_imported = models.PositiveIntegerField("lignes importées", default=0)
    rows_skipped = models.PositiveIntegerField("lignes vides ignorées", default=0)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "import de subventions"
        verbose_name_plural = "imports de subventions"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import {self.original_name} du {self.created_at:%d/%m/%Y}"

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def progress_percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ImportIssue(models.Model):
    """A row of an import that was refused (with its reason) or already present."""

    class Kind(models.TextChoices):
        REFUSED = "refusee", "Refusée"
        DUPLICATE = "doublon", "Déjà présente"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    line = models.PositiveIntegerField("ligne")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    column = models.CharField("colonne", max_length=100, blank=True)
    message = models.TextField("motif")

    class Meta:
        verbose_name = "ligne refusée"
        verbose_name_plural = "lignes refusées"
        ordering = ["line", "pk"]
        indexes = [models.Index(fields=["batch", "kind", "line"])]

    def __str__(self):
        return f"ligne {self.line} : {self.message}"


class ImportedGrantRecord(models.Model):
    """The SCDL values of an imported grant, kept as read so that it re-exports unchanged."""

    grant = models.OneToOneField(
        "grants.Grant",
        verbose_name="subvention",
        on_delete=models.CASCADE,
        related_name="imported_record",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="import",
        on_delete=models.PROTECT,
        related_name="records",
    )
    line = models.PositiveIntegerField("ligne du fichier")
    row_key = models.CharField(
        "empreinte de la ligne",
        max_length=64,
        unique=True,
        help_text="SHA-256 des valeurs lues : un second import de la même ligne est un doublon.",
    )
    attributor_name = models.CharField("nomAttribuant", max_length=300)
    attributor_siret = models.CharField("idAttribuant", max_length=14)
    convention_date = models.DateField("dateConvention")
    decision_reference = models.CharField("referenceDecision", max_length=300, blank=True)
    beneficiary_name = models.CharField("nomBeneficiaire", max_length=300)
    beneficiary_siret = models.CharField("idBeneficiaire", max_length=14, blank=True)
    beneficiary_rna = models.CharField("rnaBeneficiaire", max_length=10, blank=True)
    total_amount = models.DecimalField("montant", max_digits=14, decimal_places=2)
    nature = models.CharField("nature", max_length=40)
    payment_conditions = models.CharField("conditionsVersement", max_length=256)
    payment_dates = models.CharField("datesPeriodeVersement", max_length=21)
    rae_id = models.CharField("idRAE", max_length=5, blank=True)
    eu_notification = models.BooleanField("notificationUE", default=False)
    percentage = models.DecimalField("pourcentageSubvention", max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = "subvention importée"
        verbose_name_plural = "subventions importées"
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gte="0.01") & Q(percentage__lte=1),
                name="imported_grant_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gt=0), name="imported_grant_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(beneficiary_siret="") | ~Q(beneficiary_rna=""),
                name="imported_grant_has_siret_or_rna",
            ),
        ]

    def __str__(self):
        return f"{self.beneficiary_name} — ligne {self.line}"
