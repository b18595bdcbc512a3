from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from grants import rules
from grants.access import scope
from grants.finance.sums import STORED as STORED_GRANT_SUMS
from grants.finance.sums import without_stored
from grants.validators import validate_number_pattern, validate_siren, validate_siret


class Tracked(models.Model):
    """When a record was created and last changed, and by whom it was last changed (the
    history of every change is in django-simple-history where the model keeps one)."""

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        "grants.User",
        verbose_name="modifié par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class Authority(models.Model):
    """A funding authority (collectivité attributaire): a Métropole, a commune…"""

    name = models.CharField("nom", max_length=200, unique=True)
    short_name = models.CharField(
        "nom court", max_length=60, blank=True, help_text="Tel qu'il est cité dans les actes."
    )
    legal_form = models.CharField("forme juridique", max_length=100, blank=True)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    department_code = models.CharField(
        "code du département",
        max_length=3,
        blank=True,
        help_text="Sur trois chiffres, tel qu'il figure dans l'identifiant @ctes (ex. 042).",
    )
    address = models.CharField("adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    president_name = models.CharField("président·e", max_length=150, blank=True)
    president_title = models.CharField(
        "titre du président", max_length=100, blank=True, help_text="Ex. « La Présidente »."
    )
    logo = models.FileField("logo", upload_to="logos/", blank=True)
    court_name = models.CharField("tribunal administratif", max_length=200, blank=True)
    court_address = models.CharField("adresse du tribunal", max_length=300, blank=True)
    budget_rules_reference = models.CharField(
        "règlement budgétaire et financier",
        max_length=300,
        blank=True,
        help_text="Ex. « délibération n° FBPA 029-8299/20/CM du 31 juillet 2020 ».",
    )
    default_advance_percentage = models.DecimalField(
        "pourcentage d'acompte par défaut",
        max_digits=5,
        decimal_places=2,
        default=rules.DEFAULT_ADVANCE_PERCENTAGE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    convention_number_pattern = models.CharField(
        "modèle de numéro de convention",
        max_length=60,
        default="{year}-CONV-{seq:04d}",
        validators=[validate_number_pattern],
        help_text="{year} : l'exercice ; {seq:04d} : le rang dans l'année sur 4 chiffres. "
        "Ex. « {year}-CONV-{seq:04d} » donne 2026-CONV-0001.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "collectivité"
        verbose_name_plural = "collectivités"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_advance_percentage__gte=0)
                & Q(default_advance_percentage__lte=100),
                name="authority_advance_percentage_range",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Administrateur"
    INSTRUCTOR = "instructeur", "Agent instructeur"
    FINANCE = "financier", "Agent financier"
    MANAGER = "gestionnaire", "Gestionnaire d'association"
    VIEWER = "consultation", "Consultation"


STAFF_ROLES = {Role.ADMIN, Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER}


class AccountManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account. Staff belong to one authority; association managers to associations."""

    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.VIEWER)
    authority = models.ForeignKey(
        Authority,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Obligatoire pour les agents ; vide pour un administrateur de la plateforme.",
    )
    managed_associations = models.ManyToManyField(
        "associations.Association",
        verbose_name="associations gérées",
        blank=True,
        related_name="managers",
    )

    objects = AccountManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="admin") | Q(role="gestionnaire") | Q(authority__isnull=False),
                name="staff_user_has_authority",
            ),
            models.CheckConstraint(
                condition=~Q(role="gestionnaire") | Q(authority__isnull=True),
                name="manager_has_no_authority",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Only platform administrators reach the Django admin site, which is not scoped.
        self.is_staff = self.is_platform_admin
        self.is_superuser = self.is_platform_admin
        super().save(*args, **kwargs)

    # Roles read like sentences in views and templates.
    @property
    def is_manager(self):
        return self.role == Role.MANAGER

    @property
    def is_staff_member(self):
        return self.role in STAFF_ROLES

    @property
    def is_platform_admin(self):
        return self.role == Role.ADMIN and self.authority_id is None

    @property
    def can_edit_associations(self):
        return self.role in {Role.ADMIN, Role.INSTRUCTOR}

    @property
    def can_instruct(self):
        return self.role in {Role.ADMIN, Role.INSTRUCTOR}

    @property
    def is_finance(self):
        return self.role == Role.FINANCE

    def visible_authorities(self):
        """The authorities whose records this user sees: all for the platform administrator,
        their own for staff, none for association managers."""
        if self.is_platform_admin:
            return Authority.objects.all()
        if self.is_staff_member and self.authority_id:
            return Authority.objects.filter(pk=self.authority_id)
        return Authority.objects.none()


class GrantNature(models.TextChoices):
    OPERATING = "fonctionnement", "Fonctionnement global"
    PROJECT = "projet", "Projet"
    INVESTMENT = "investissement", "Investissement"


# Kept by grants.finance.sums, never written by Grant.save() on an update.
GRANT_STORED = STORED_GRANT_SUMS


class GrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user, authority="authority", association="association")


class Grant(models.Model):
    """A subsidy granted by a deliberation to an association for one financial year."""

    authority = models.ForeignKey(
        Authority, verbose_name="collectivité", on_delete=models.PROTECT, related_name="grants"
    )
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.PROTECT,
        related_name="grants",
    )
    deliberation = models.ForeignKey(
        "deliberations.Deliberation",
        verbose_name="délibération",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    year = models.PositiveIntegerField(
        "exercice", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    nature = models.CharField(
        "nature", max_length=20, choices=GrantNature.choices, default=GrantNature.OPERATING
    )
    object = models.TextField("objet")
    budget_imputation = models.CharField(
        "imputation budgétaire",
        max_length=100,
        blank=True,
        help_text="Telle que citée par la délibération, ex. INUM/SUFLI/65748.",
    )
    aid_scheme_label = models.CharField("dispositif d'aide", max_length=256, blank=True)
    specific_expense = models.BooleanField(
        "affectée à une dépense déterminée",
        default=False,
        help_text=(
            "Un compte rendu financier (Cerfa 15059) est alors dû dans les six mois suivant la "
            "fin de l'exercice (loi 2000-321, art. 10)."
        ),
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    # Stored so that the staff home's totals per year and its "without a convention" count read
    # the grants alone, whatever the number of commitments, payments and conventions
    # (PERFORMANCE.md). Never typed: grants.finance.sums.refresh_grants rewrites them when a
    # commitment, a paid payment or a convention's grants change.
    committed_amount = models.DecimalField(
        "montant engagé", max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    paid_amount = models.DecimalField(
        "montant payé", max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    has_convention = models.BooleanField(
        "couverte par une convention", default=False, editable=False
    )

    history = HistoricalRecords()
    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = "subvention"
        verbose_name_plural = "subventions"
        ordering = ["-year", "association__name"]
        indexes = [
            # The staff home's totals per year read this index alone (PostgreSQL: index-only
            # scan of the latest years' grants).
            models.Index(
                fields=["authority", "year"],
                include=["amount", "committed_amount", "paid_amount", "deliberation"],
                name="grant_year_totals",
            ),
            # The staff home's "above the threshold without a convention" count and its list
            # read this small index alone.
            models.Index(
                fields=["authority", "id"],
                condition=Q(amount__gt=rules.CONVENTION_THRESHOLD, has_convention=False),
                name="grant_needs_convention",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(committed_amount__gte=0, paid_amount__gte=0),
                name="grant_stored_sums_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.association} — {self.year} — {self.amount} €"

    def save(self, *args, **kwargs):
        # The stored sums are written by grants.finance.sums alone.
        super().save(*args, **without_stored(self, GRANT_STORED, kwargs))

    def get_absolute_url(self):
        return reverse("association_detail", args=[self.association_id])

    @property
    def convention_required(self):
        return rules.convention_required(self.amount)

    @property
    def financial_report_due_date(self):
        """When the compte rendu financier is due, for a grant affected to a specific expense."""
        return rules.financial_report_due_date(self.year) if self.specific_expense else None

    def financial_report_overdue(self, today=None):
        import django.utils.timezone

        today = today or django.utils.timezone.localdate()
        return self.specific_expense and rules.financial_report_overdue(self.year, today)


# Accounts associations open themselves, and their requests to manage a known association.
from grants.accounts.models import AccountSignup, AssociationAccessRequest  # noqa: E402, F401

# Budget lines, commitments, payments and clawbacks live in their own module.
from grants.finance.models import (  # noqa: E402, F401
    BudgetLine,
    Clawback,
    Commitment,
    Payment,
)

# Background jobs (PDFs, exports, imports) and their progress.
from grants.jobs.models import Job  # noqa: E402, F401

# Imports of past grants and the SCDL values of imported grants (open data).
from grants.opendata.models import ImportBatch, ImportedGrantRecord, ImportIssue  # noqa: E402, F401

# Aid schemes, campaigns and subsidy requests (Cerfa 12156*06) and their instruction.
from grants.requests.models import (  # noqa: E402, F401
    AidScheme,
    Campaign,
    RequestEvent,
    RequestPieceCheck,
    RequestVersion,
    SubsidyRequest,
)

# Notification letters and financial reports of grants of 23 000 € or less.
from grants.smallgrants.models import (  # noqa: E402, F401
    FinancialReport,
    LetterTemplate,
    NotificationLetter,
)
