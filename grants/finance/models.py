"""Money in motion: the authority's budget lines, commitments (engagements), payments
(versements) and clawbacks (reversements). Imported at the end of grants/models.py.

The amounts consumed on a budget line (committed, ordered, paid) are stored on the line and
never typed: grants.finance.sums recomputes them from the commitments and payments whenever
those change (`BudgetLine.objects.with_consumption()` reads them).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, DecimalField, F, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from grants import rules
from grants.access import scope
from grants.finance.sums import (
    LINE_STORED,
    refresh_budget_line_ids,
    refresh_budget_lines_of_commitments,
    refresh_grant_ids,
    refresh_grants_of_commitments,
    without_stored,
)

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
        return scope(self, user, authority="authority", association=None)

    def with_consumption(self):
        """Committed, ordered (mandaté), paid and available amounts: the sums stored on each
        line (grants.finance.sums), available = voted − committed."""
        return self.annotate(
            committed=F("committed_amount"),
            ordered=F("ordered_amount"),
            paid=F("paid_amount"),
            available=models.ExpressionWrapper(
                F("voted_credits") - F("committed_amount"), output_field=MONEY
            ),
        )

    def consumption_totals(self):
        """The count and the totals row of these lines in one query over the lines' stored
        sums (None for every total when there is no line)."""
        totals = BudgetLine.objects.filter(pk__in=self.values("pk")).aggregate(
            count=Count("*"),
            total_voted=Sum("voted_credits"),
            total_committed=Sum("committed_amount"),
            total_ordered=Sum("ordered_amount"),
            total_paid=Sum("paid_amount"),
        )
        voted, committed = totals["total_voted"], totals["total_committed"]
        totals["total_available"] = None if voted is None else voted - committed
        return totals


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
    # Stored so that the lines' list and its totals row read the lines alone, whatever the
    # number of commitments and payments (PERFORMANCE.md). Never typed:
    # grants.finance.sums.refresh_budget_lines rewrites them when a commitment, or an ordered or
    # paid payment, changes; save() never writes them (an instance loaded before a commitment
    # would put back the sums it read).
    committed_amount = models.DecimalField(
        "montant engagé", max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    ordered_amount = models.DecimalField(
        "montant mandaté", max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    paid_amount = models.DecimalField(
        "montant payé", max_digits=14, decimal_places=2, default=ZERO, editable=False
    )

    history = HistoricalRecords(excluded_fields=["updated_at", *LINE_STORED])
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
            models.CheckConstraint(
                condition=Q(committed_amount__gte=0, ordered_amount__gte=0, paid_amount__gte=0),
                name="budget_line_stored_sums_not_negative",
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

    def save(self, *args, **kwargs):
        # The stored sums are written by grants.finance.sums alone.
        super().save(*args, **without_stored(self, LINE_STORED, kwargs))

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

    history = HistoricalRecords()
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        refresh_grant_ids([self.grant_id])  # the grant's stored committed amount
        # The stored sums of its line, and of the line it was on when loaded.
        refresh_budget_line_ids([self.budget_line_id, getattr(self, "_loaded_line_id", None)])
        self._loaded_line_id = self.budget_line_id

    def delete(self, *args, **kwargs):
        grant_id, line_id = self.grant_id, self.budget_line_id
        result = super().delete(*args, **kwargs)
        refresh_grant_ids([grant_id])
        refresh_budget_line_ids([line_id])
        return result

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        commitment = super().from_db(db, field_names, values, *args, **kwargs)
        commitment._loaded_line_id = commitment.__dict__.get("budget_line_id")
        return commitment


# --------------------------------------------------------------------------------------------
# Payments (versements) and clawbacks (reversements)
# --------------------------------------------------------------------------------------------

# Seed SCS art. 4.3: what the association's signer certifies when requesting a payment.
CERTIFICATION_TEXT = (
    "Je certifie la réalité de la dépense et son utilisation conforme à l'objet de "
    "l'article 1 de la convention."
)


class RealisedSource(models.TextChoices):
    BUDGET = "budget", "Compte rendu financier (budget réalisé de l'association)"
    TYPED = "saisie", "Dépenses réalisées déclarées"


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's payments; managers their own associations' only.

        A payment belongs to a convention, or (versement unique) directly to a grant of
        23 000 € or less that needs none; its authority is stored on the row either way.
        """
        if not user.is_manager:
            # Staff: the stored authority alone (no "authority = x OR authority = x", which
            # keeps PostgreSQL from using the (authority, …) indexes).
            return scope(self, user, authority="authority")
        by_convention = scope(
            self, user, authority="authority", association="convention__association"
        )
        by_grant = scope(self, user, authority="authority", association="grant__association")
        # For a manager, the OR of the two paths defeats every index (PostgreSQL walks all
        # payments by date, 0.6 s at "large"); the same rows as a UNION ALL of the two paths
        # read the convention_id and grant_id indexes instead (under 1 ms).
        ids = (
            by_convention.order_by().values("pk").union(by_grant.order_by().values("pk"), all=True)
        )
        return self.filter(pk__in=ids).exclude(convention__status="brouillon")

    def overdue(self, now):
        """Certified (service fait) more than the target delay ago and still not ordered."""
        limit = now - datetime.timedelta(days=rules.PAYMENT_ORDER_TARGET_DAYS)
        return self.filter(status=Payment.Status.CERTIFIED, certified_at__lt=limit)


class Payment(models.Model):
    """A payment of a convention's grant: requested, certified, ordered (mandat), then paid.

    A grant of 23 000 € or less needs no convention (décret 2001-495): it is paid in one
    payment (versement unique) that belongs to the grant itself (`grant`, `convention` empty).
    """

    class Kind(models.TextChoices):
        ADVANCE = "acompte", "Acompte"
        BALANCE = "solde", "Solde"
        SINGLE = "unique", "Versement unique"

    class Status(models.TextChoices):
        REQUESTED = "demande", "Demandé, service fait à certifier"
        CERTIFIED = "service_fait", "Service fait certifié, à mandater"
        ORDERED = "mandate", "Mandaté, paiement à constater"
        PAID = "paye", "Payé"
        REJECTED = "rejete", "Rejeté"

    # Statuses that count in the sums: everything but a rejected request.
    LIVE_STATUSES = ("demande", "service_fait", "mandate", "paye")
    ORDERED_STATUSES = ("mandate", "paye")

    convention = models.ForeignKey(
        "conventions.Convention",
        verbose_name="convention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    # The convention's authority, stored so that scoped lists and counts need no join
    # (PERFORMANCE.md trap 9); save() copies it from the convention, which never changes it.
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # A versement unique of a grant without convention (23 000 € or less).
    grant = models.ForeignKey(
        "grants.Grant",
        verbose_name="subvention (versement unique)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="single_payments",
    )
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    # The financial year paid (a CPO has its advance and balance per year); filled on save.
    year = models.PositiveIntegerField("exercice", null=True, blank=True)
    status = models.CharField(
        "état", max_length=15, choices=Status.choices, default=Status.REQUESTED
    )
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)

    # The association's request (seed art. 4.3).
    requested_at = models.DateTimeField("demandé le")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField("signataire de la demande", max_length=150)
    certification_text = models.TextField("certification du bénéficiaire")

    # How a balance was computed (art. 4.2), kept as it was at the request.
    forecast_expenses = models.DecimalField(
        "dépenses prévisionnelles", max_digits=14, decimal_places=2, null=True, blank=True
    )
    realised_expenses = models.DecimalField(
        "dépenses réalisées", max_digits=14, decimal_places=2, null=True, blank=True
    )
    realised_source = models.CharField(
        "source des dépenses réalisées", max_length=10, choices=RealisedSource.choices, blank=True
    )
    amount_due = models.DecimalField(
        "montant dû", max_digits=12, decimal_places=2, null=True, blank=True
    )

    # Staff: service fait, or rejection.
    certified_at = models.DateTimeField("service fait certifié le", null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="service fait certifié par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField("rejeté le", null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rejeté par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField("motif du rejet", blank=True)

    # Finance: the payment order (mandat) on a commitment, then the payment.
    commitment = models.ForeignKey(
        Commitment,
        verbose_name="engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    order_number = models.CharField("numéro de mandat", max_length=30, blank=True)
    order_date = models.DateField("date du mandat", null=True, blank=True)
    ordered_at = models.DateTimeField("mandat saisi le", null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="mandaté par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The validated bank details the mandat pays to (the association's in force when ordered).
    bank_details = models.ForeignKey(
        "associations.BankDetails",
        verbose_name="coordonnées bancaires",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    paid_date = models.DateField("date de paiement", null=True, blank=True)
    paid_recorded_at = models.DateTimeField("paiement saisi le", null=True, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="paiement saisi par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["authority", "status", "certified_at"]),
            models.Index(fields=["authority", "-requested_at"], name="payment_authority_requested"),
            # The budget lines' ordered and paid sums read this index alone.
            models.Index(fields=["commitment", "status", "amount"], name="payment_commitment_sums"),
            # The dashboards' paid sums (payment → commitment → grant) and payments per month
            # read these alone (index-only scans of one authority's paid payments).
            models.Index(
                fields=["authority", "status", "commitment", "amount"],
                name="payment_authority_paid_sums",
            ),
            models.Index(
                fields=["authority", "status", "paid_date", "convention", "amount"],
                name="payment_authority_paid_dates",
            ),
            # The budget lines' totals row: the sums by status, over all the lines' payments.
            models.Index(
                fields=["status", "commitment", "amount"], name="payment_status_commitment_sums"
            ),
            # The staff home's paid total per convention year and its counts by status read
            # this index alone.
            models.Index(
                fields=["authority", "status", "convention", "amount"],
                name="payment_status_sums",
            ),
            models.Index(fields=["status", "certified_at"]),
            models.Index(fields=["requested_at"]),
            models.Index(fields=["order_date"]),
            models.Index(fields=["paid_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(signer_name="") & ~Q(certification_text=""),
                name="payment_request_is_signed_and_certified",
            ),
            models.CheckConstraint(
                condition=Q(kind="acompte") | Q(amount_due__isnull=False),
                name="payment_balance_has_amount_due",
            ),
            models.CheckConstraint(
                condition=Q(amount_due__isnull=True) | Q(amount__lte=F("amount_due")),
                name="payment_not_above_amount_due",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["demande", "rejete"])
                | Q(certified_at__isnull=False, certified_by__isnull=False),
                name="payment_certified_step_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["mandate", "paye"])
                | (
                    ~Q(order_number="")
                    & Q(
                        order_date__isnull=False,
                        ordered_by__isnull=False,
                        commitment__isnull=False,
                    )
                ),
                name="payment_order_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="paye") | Q(paid_date__isnull=False),
                name="payment_paid_date_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejete") | ~Q(rejection_reason=""),
                name="payment_rejection_has_reason",
            ),
            # Separation of duties: who certified the service fait does not order the payment.
            models.CheckConstraint(
                condition=Q(ordered_by__isnull=True)
                | Q(certified_by__isnull=True)
                | ~Q(ordered_by=F("certified_by")),
                name="payment_certifier_does_not_order",
            ),
            models.CheckConstraint(
                condition=Q(paid_date__isnull=True)
                | Q(order_date__isnull=True)
                | Q(paid_date__gte=F("order_date")),
                name="payment_paid_after_order",
            ),
            # Seed art. 4.3: one advance, then the balance (a rejected request does not count).
            models.UniqueConstraint(
                fields=["convention", "year", "kind"],
                condition=~Q(status="rejete"),
                name="payment_one_live_request_per_year_and_kind",
                violation_error_message=(
                    "Une demande de ce type existe déjà pour cet exercice de la convention."
                ),
            ),
            # A payment belongs to a convention, or (versement unique only) to a grant.
            models.CheckConstraint(
                condition=Q(convention__isnull=False, grant__isnull=True) & ~Q(kind="unique")
                | Q(convention__isnull=True, grant__isnull=False, kind="unique"),
                name="payment_convention_or_single_payment_of_grant",
            ),
            # The amount due of a versement unique is the grant's amount (hence amount ≤ grant,
            # by payment_not_above_amount_due), and only a grant of 23 000 € or less has one.
            models.CheckConstraint(
                condition=~Q(kind="unique")
                | Q(amount_due__isnull=False, amount_due__lte=rules.CONVENTION_THRESHOLD),
                name="payment_single_only_without_convention_threshold",
            ),
            models.UniqueConstraint(
                fields=["grant"],
                condition=~Q(status="rejete"),
                name="payment_one_live_single_payment_per_grant",
                violation_error_message="Un versement unique existe déjà pour cette subvention.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} de {self.amount} € — {self.convention or self.grant}"

    def save(self, *args, **kwargs):
        if self.authority_id is None and self.convention_id:
            self.authority_id = self.convention.authority_id
        elif self.authority_id is None and self.grant_id:
            self.authority_id = self.grant.authority_id
        if self.year is None and self.convention_id:
            self.year = self.convention.year
        super().save(*args, **kwargs)
        # The grant's stored paid amount and the line's ordered and paid amounts, where this
        # payment counts now and where it counted when loaded.
        counted, loaded = self._counted(self.status, self.commitment_id), self._loaded_counted
        refresh_grants_of_commitments([counted[0], loaded[0]])
        refresh_budget_lines_of_commitments([counted[1], loaded[1]])
        self._loaded_counted = counted

    def delete(self, *args, **kwargs):
        paid_on, ordered_on = self._counted(self.status, self.commitment_id)
        result = super().delete(*args, **kwargs)
        refresh_grants_of_commitments([paid_on])
        refresh_budget_lines_of_commitments([ordered_on])
        return result

    # Where a new payment counts: nowhere yet.
    _loaded_counted = (None, None)

    @classmethod
    def _counted(cls, status, commitment_id):
        """The commitment whose paid sum, then whose ordered sum, a payment in `status` counts
        in (None where it does not count)."""
        return (
            commitment_id if status == cls.Status.PAID else None,
            commitment_id if status in cls.ORDERED_STATUSES else None,
        )

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        payment = super().from_db(db, field_names, values, *args, **kwargs)
        loaded = payment.__dict__
        payment._loaded_counted = cls._counted(loaded.get("status"), loaded.get("commitment_id"))
        return payment

    @property
    def is_live(self):
        """A request that still counts (a rejected one no longer does)."""
        return self.status != self.Status.REJECTED

    @property
    def subject(self):
        """What the payment pays: the convention, or the grant of a versement unique. Both carry
        `authority_id` and `association_id`, which the access predicates read."""
        return self.convention if self.convention_id else self.grant

    @property
    def is_single(self):
        return self.kind == self.Kind.SINGLE

    def get_subject_url(self):
        """The page that shows this payment among its steps."""
        if self.convention_id:
            return reverse("payment_timeline", args=[self.convention_id])
        return reverse("small_grant_detail", args=[self.grant_id])


class ClawbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        visible = scope(
            self, user, authority="convention__authority", association="convention__association"
        )
        return visible.exclude(convention__status="brouillon") if user.is_manager else visible


class Clawback(models.Model):
    """A claim for the excess paid over the amount due (reversement, titre de recettes)."""

    convention = models.ForeignKey(
        "conventions.Convention",
        verbose_name="convention",
        on_delete=models.PROTECT,
        related_name="clawbacks",
    )
    # The financial year whose excess is claimed back; filled on save.
    year = models.PositiveIntegerField("exercice", null=True, blank=True)
    amount = models.DecimalField("montant à reverser", max_digits=12, decimal_places=2)
    reason = models.TextField("motif")
    title_number = models.CharField("numéro du titre de recettes", max_length=30)
    title_date = models.DateField("date du titre de recettes")
    # How the excess was computed (art. 4.2), kept as it was when recorded.
    forecast_expenses = models.DecimalField(
        "dépenses prévisionnelles", max_digits=14, decimal_places=2, null=True, blank=True
    )
    realised_expenses = models.DecimalField(
        "dépenses réalisées", max_digits=14, decimal_places=2, null=True, blank=True
    )
    realised_source = models.CharField(
        "source des dépenses réalisées", max_length=10, choices=RealisedSource.choices, blank=True
    )
    amount_due = models.DecimalField("montant dû", max_digits=12, decimal_places=2)
    paid_before = models.DecimalField("versé net avant le titre", max_digits=12, decimal_places=2)
    recorded_at = models.DateTimeField("saisi le")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = ClawbackQuerySet.as_manager()

    class Meta:
        verbose_name = "reversement"
        verbose_name_plural = "reversements"
        ordering = ["-title_date", "-pk"]
        indexes = [models.Index(fields=["title_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="clawback_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="clawback_has_reason"),
            models.CheckConstraint(condition=~Q(title_number=""), name="clawback_has_title_number"),
            # Never claim back more than the excess paid over the amount due.
            models.CheckConstraint(
                condition=Q(amount__lte=F("paid_before") - F("amount_due")),
                name="clawback_within_excess",
            ),
        ]

    def __str__(self):
        return f"Reversement de {self.amount} € — titre n° {self.title_number}"

    def save(self, *args, **kwargs):
        if self.year is None and self.convention_id:
            self.year = self.convention.year
        super().save(*args, **kwargs)
