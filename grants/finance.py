"""Money in motion: the authority's budget lines, commitments (engagements), payments
(versements) and clawbacks (reversements). Imported at the end of grants/models.py.

Amounts consumed on a budget line are never stored: they are derived with correlated
subqueries (`BudgetLine.objects.with_consumption()`), so they cannot drift from the rows.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

__all__ = ["BudgetLine", "Commitment"]

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)

validate_chapter = RegexValidator(
    r"^\d{2,3}$", "Le chapitre s'écrit avec 2 ou 3 chiffres (ex. 65 ou 011)."
)
validate_nature = RegexValidator(
    r"^\d{2,6}$", "La nature M57 s'écrit avec 2 à 6 chiffres (ex. 65748)."
)
validate_service_codes = RegexValidator(
    r"^[A-Z0-9]{1,12}(/[A-Z0-9]{1,12}){0,3}$",
    "Codes service en majuscules séparés par « / » (ex. INUM/SUFLI).",
)


def sum_subquery(queryset, field="amount"):
    """A correlated SUM(field) over `queryset` (already filtered on OuterRef), 0 when empty."""
    total = (
        queryset.order_by()
        .annotate(_group=Value(1))
        .values("_group")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


# --------------------------------------------------------------------------------------------
# Budget lines and commitments
# --------------------------------------------------------------------------------------------


class BudgetLineQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's lines; association managers never see any."""
        if not user.is_authenticated or user.is_manager:
            return self.none()
        if user.is_platform_admin:
            return self
        if user.is_staff_member and user.authority_id:
            return self.filter(authority_id=user.authority_id)
        return self.none()

    def with_consumption(self):
        """Committed, ordered (mandaté), paid and available amounts, one subquery each."""
        committed = sum_subquery(Commitment.objects.filter(budget_line=OuterRef("pk")))
        payments = Payment.objects.filter(commitment__budget_line=OuterRef("pk"))
        ordered = sum_subquery(payments.filter(status__in=Payment.ORDERED_STATUSES))
        paid = sum_subquery(payments.filter(status=Payment.Status.PAID))
        return self.annotate(
            committed=committed,
            ordered=ordered,
            paid=paid,
            available=models.ExpressionWrapper(
                F("voted_credits") - committed, output_field=MONEY
            ),
        )


class BudgetLine(models.Model):
    """A line of the authority's budget for one year (ligne budgétaire, M57)."""

    class Budget(models.TextChoices):
        PRINCIPAL = "principal", "Budget principal"
        ANNEX = "annexe", "Budget annexe"

    class Section(models.TextChoices):
        OPERATING = "fonctionnement", "Fonctionnement"
        INVESTMENT = "investissement", "Investissement"

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveIntegerField(
        "exercice", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    budget = models.CharField(
        "budget", max_length=12, choices=Budget.choices, default=Budget.PRINCIPAL
    )
    section = models.CharField(
        "section", max_length=16, choices=Section.choices, default=Section.OPERATING
    )
    chapter = models.CharField(
        "chapitre", max_length=3, validators=[validate_chapter], help_text="Ex. 65."
    )
    nature = models.CharField(
        "nature (M57)",
        max_length=6,
        validators=[validate_nature],
        help_text="Compte par nature de l'instruction M57, ex. 65748.",
    )
    service_codes = models.CharField(
        "codes service",
        max_length=60,
        validators=[validate_service_codes],
        help_text="Codes gestionnaires de la ligne, ex. INUM/SUFLI.",
    )
    label = models.CharField("libellé", max_length=200)
    voted_credits = models.DecimalField("crédits votés", max_digits=14, decimal_places=2)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne budgétaire"
        verbose_name_plural = "lignes budgétaires"
        ordering = ["-year", "service_codes", "nature"]
        indexes = [models.Index(fields=["authority", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(voted_credits__gte=0), name="budget_line_credits_not_negative"
            ),
            models.UniqueConstraint(
                fields=["authority", "year", "budget", "section", "service_codes", "nature"],
                name="budget_line_unique_imputation",
                violation_error_message=(
                    "Cette imputation existe déjà pour cet exercice et ce budget."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} — {self.imputation} — {self.label}"

    def get_absolute_url(self):
        return reverse("budget_line_detail", args=[self.pk])

    @property
    def imputation(self):
        """As the deliberations cite it: INUM/SUFLI/65748."""
        return f"{self.service_codes}/{self.nature}"

    def clean(self):
        # A nature belongs to its chapter (65 → 65748), except the global chapters 011, 012…
        if (
            self.chapter
            and self.nature
            and not self.chapter.startswith("0")
            and not self.nature.startswith(self.chapter)
        ):
            raise ValidationError(
                {"nature": f"La nature {self.nature} n'appartient pas au chapitre {self.chapter}."}
            )


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget_line__in=BudgetLine.objects.visible_to(user))


class Commitment(models.Model):
    """A grant committed on a budget line (engagement juridique et comptable)."""

    grant = models.OneToOneField(
        "grants.Grant",
        verbose_name="subvention",
        on_delete=models.PROTECT,
        related_name="commitment",
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name="ligne budgétaire",
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    number = models.CharField("numéro d'engagement", max_length=30)
    date = models.DateField("date d'engagement")
    amount = models.DecimalField("montant engagé", max_digits=12, decimal_places=2)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = "engagement"
        verbose_name_plural = "engagements"
        ordering = ["-date", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
            models.UniqueConstraint(
                fields=["budget_line", "number"],
                name="commitment_unique_number_per_line",
                violation_error_message="Ce numéro d'engagement existe déjà sur cette ligne.",
            ),
        ]

    def __str__(self):
        return f"Engagement n° {self.number} du {self.date:%d/%m/%Y}"
