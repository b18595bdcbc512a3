import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from grants.access import scope
from grants.validators import validate_rna, validate_siren, validate_siret


class StructureType(models.Model):
    """Reference data: the kind of structure (pôle de compétitivité, incubateur…).

    Indicator definitions depend on it.
    """

    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        verbose_name = "type de structure"
        verbose_name_plural = "types de structure"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ThematicDomain(models.Model):
    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        verbose_name = "domaine thématique"
        verbose_name_plural = "domaines thématiques"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Civility(models.TextChoices):
    MR = "M.", "M."
    MRS = "Mme", "Mme"


class AssociationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The access rule every view starts from."""
        return scope(self, user, authority="authority", association="pk")


# Fields an association manager may edit on their own association.
CONTACT_FIELDS = ["address", "postal_code", "city", "email", "phone", "website", "contact_name"]


class Association(models.Model):
    """A beneficiary, as known by one funding authority."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="associations",
    )
    name = models.CharField("nom", max_length=200)
    acronym = models.CharField("sigle", max_length=50, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    rna = models.CharField("numéro RNA", max_length=10, blank=True, validators=[validate_rna])
    purpose = models.TextField("objet social", blank=True)
    structure_type = models.ForeignKey(
        StructureType,
        verbose_name="type de structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="associations",
    )
    domains = models.ManyToManyField(
        ThematicDomain, verbose_name="domaines thématiques", blank=True, related_name="associations"
    )
    # Legal representative, kept current by recording a governance change.
    representative_civility = models.CharField(
        "civilité du représentant", max_length=3, choices=Civility.choices, blank=True
    )
    representative_name = models.CharField("représentant légal", max_length=150, blank=True)
    representative_title = models.CharField(
        "qualité du représentant", max_length=100, blank=True, help_text="Ex. « Président »."
    )
    fiscal_year_end_day = models.PositiveSmallIntegerField(
        "jour de clôture de l'exercice",
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        "mois de clôture de l'exercice",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # Contact details: the association's managers may edit these.
    address = models.CharField("adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)

    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = "association"
        verbose_name_plural = "associations"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["authority", "name"]),
            # The staff home's latest associations.
            models.Index(fields=["authority", "-created_at"], name="association_recent"),
            models.Index(fields=["city"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "siren"],
                condition=~Q(siren=""),
                name="association_unique_siren_per_authority",
                violation_error_message="Une association de cette collectivité a déjà ce SIREN.",
            ),
            models.UniqueConstraint(
                fields=["authority", "rna"],
                condition=~Q(rna=""),
                name="association_unique_rna_per_authority",
                violation_error_message="Une association de la collectivité a déjà ce RNA.",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year_end_month__gte=1, fiscal_year_end_month__lte=12)
                & Q(fiscal_year_end_day__gte=1, fiscal_year_end_day__lte=31),
                name="association_fiscal_year_end_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("association_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError(
                {"siret": "Le SIRET doit commencer par le SIREN de l'association."}
            )
        try:
            self.fiscal_year_end(2023)
        except ValueError:
            raise ValidationError(
                {"fiscal_year_end_day": "Cette date de clôture n'existe pas."}
            ) from None

    @property
    def representative(self):
        return " ".join(
            part for part in (self.representative_civility, self.representative_name) if part
        )

    @property
    def full_address(self):
        return ", ".join(p for p in (self.address, f"{self.postal_code} {self.city}".strip()) if p)

    def fiscal_year_end(self, year):
        """The closing date of the association's financial year `year` (29/02 falls back)."""
        day = self.fiscal_year_end_day
        if self.fiscal_year_end_month == 2 and day == 29:
            try:
                return datetime.date(year, 2, 29)
            except ValueError:
                return datetime.date(year, 2, 28)
        return datetime.date(year, self.fiscal_year_end_month, day)


class GovernanceChange(models.Model):
    """A dated change the association must report (seed SCS art. 6.3)."""

    class Kind(models.TextChoices):
        REPRESENTATIVE = "representant", "Changement de représentant légal"
        BOARD = "bureau", "Changement du conseil d'administration ou du bureau"
        STATUTES = "statuts", "Modification des statuts"

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="governance_changes"
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    effective_date = models.DateField("date d'effet")
    summary = models.TextField("description")
    new_representative_civility = models.CharField(
        "civilité du nouveau représentant", max_length=3, choices=Civility.choices, blank=True
    )
    new_representative_name = models.CharField("nouveau représentant", max_length=150, blank=True)
    new_representative_title = models.CharField("qualité", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "changement de gouvernance"
        verbose_name_plural = "changements de gouvernance"
        ordering = ["-effective_date", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="representant") | ~Q(new_representative_name=""),
                name="representative_change_names_someone",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.effective_date:%d/%m/%Y})"


from associations.bank.models import BankDetails  # noqa: E402, F401
from associations.budgets.models import AssociationBudget, AssociationBudgetLine  # noqa: E402, F401

# « Mes documents »: the standing pieces reused by every subsidy request.
from associations.documents.models import AssociationDocument  # noqa: E402, F401
from associations.indicators.models import (  # noqa: E402, F401
    Indicator,
    IndicatorReport,
    IndicatorSet,
    IndicatorValue,
)
