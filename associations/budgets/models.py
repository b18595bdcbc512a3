"""An association's budget for one financial year, in the Cerfa 12156 layout.

A forecast budget (budget prévisionnel, Cerfa 12156) is filed with the request and becomes
annex I of the convention; the realised budget (compte rendu financier, Cerfa 15059) is filed
with the justificatifs. Totals are always sums of the lines; the totals printed on a paper
document are kept apart (`printed_*`) so that a mismatch shows as a problem instead of being
silently trusted.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.functional import cached_property

from associations.budgets import chart
from associations.budgets.chart import Side
from grants.access import scope
from grants.models import Grant, Tracked
from grants.templatetags.fr import euros

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BudgetProblem:
    """One inconsistency of a budget, with a French message for the people who fix it."""

    code: str
    message: str


class AssociationBudgetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The budgets of the associations the user may see (same rule as Association)."""
        return scope(self, user, authority="association__authority", association="association")


def _money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def frozen_message(signed_convention):
    """Why a budget cannot change: it is the annex I of this signed convention."""
    if signed_convention is None:
        return ""
    return (
        f"Ce budget est l'annexe I de la convention « {signed_convention} », déjà signée : il "
        "ne peut plus être modifié. Une modification passe par un avenant."
    )


class AssociationBudget(Tracked):
    class Kind(models.TextChoices):
        FORECAST = "previsionnel", "Budget prévisionnel"
        REALISED = "realise", "Compte rendu financier (réalisé)"
        # The budget of one project of a subsidy request (Cerfa 12156*06, fiche 4): an
        # association may file several in a year, so it is not unique per year.
        PROJECT = "projet", "Budget du projet"

    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.CASCADE,
        related_name="budgets",
    )
    year = models.PositiveIntegerField(
        "exercice", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices, default=Kind.FORECAST)
    label = models.CharField(
        "intitulé",
        max_length=200,
        blank=True,
        help_text="Tel qu'il figure sur le document, ex. « Budget prévisionnel général Année "
        "2023 ».",
    )
    start_date = models.DateField(
        "début de l'exercice", null=True, blank=True, help_text="Si l'exercice n'est pas civil."
    )
    end_date = models.DateField("fin de l'exercice", null=True, blank=True)
    # Totals as typed on the paper document, kept to be checked against the lines.
    printed_total_charges = _money_field("total des charges imprimé", null=True, blank=True)
    printed_total_products = _money_field("total des produits imprimé", null=True, blank=True)
    printed_grand_total_charges = _money_field(
        "total général des charges imprimé", null=True, blank=True
    )
    printed_grand_total_products = _money_field(
        "total général des produits imprimé", null=True, blank=True
    )
    # Two sums of the lines, stored for the conventions' obligation filters (the 153 000 € and
    # 50 % rules) so a list does not sum every budget's lines; `store_totals()` refreshes them
    # after every write of the lines (services, admin, demo). The properties below stay the
    # reference, computed from the lines.
    stored_total_charges = _money_field("total des charges (calculé)", default=ZERO, editable=False)
    stored_public_subsidies = _money_field(
        "subventions publiques (calculé)", default=ZERO, editable=False
    )
    signed_place = models.CharField("fait à", max_length=100, blank=True)
    signed_on = models.DateField("signé le", null=True, blank=True)
    notes = models.TextField("observations", blank=True)

    objects = AssociationBudgetQuerySet.as_manager()

    class Meta:
        verbose_name = "budget d'association"
        verbose_name_plural = "budgets d'associations"
        ordering = ["-year", "kind"]
        indexes = [models.Index(fields=["year", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "kind"],
                condition=~Q(kind="projet"),
                name="association_budget_unique_year_kind",
                violation_error_message="Cette association a déjà un budget de cette nature "
                "pour cet exercice.",
            ),
            models.CheckConstraint(
                condition=Q(printed_total_charges__isnull=True) | Q(printed_total_charges__gte=0),
                name="budget_printed_total_charges_positive",
            ),
            models.CheckConstraint(
                condition=Q(printed_total_products__isnull=True) | Q(printed_total_products__gte=0),
                name="budget_printed_total_products_positive",
            ),
            models.CheckConstraint(
                condition=Q(printed_grand_total_charges__isnull=True)
                | Q(printed_grand_total_charges__gte=0),
                name="budget_printed_grand_total_charges_positive",
            ),
            models.CheckConstraint(
                condition=Q(printed_grand_total_products__isnull=True)
                | Q(printed_grand_total_products__gte=0),
                name="budget_printed_grand_total_products_positive",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="budget_period_ordered",
                violation_error_message="La fin de l'exercice doit suivre son début.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} — {self.association}"

    def get_absolute_url(self):
        return reverse("budget_detail", args=[self.pk])

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_lines", None)

    def store_totals(self):
        """Recompute the stored sums from the lines (one aggregate, one UPDATE)."""
        totals = self.lines.aggregate(
            charges=Sum("amount", filter=Q(side=Side.CHARGE)),
            public=Sum("amount", filter=Q(side=Side.PRODUCT, is_public=True)),
        )
        self.stored_total_charges = totals["charges"] or ZERO
        self.stored_public_subsidies = totals["public"] or ZERO
        AssociationBudget.objects.filter(pk=self.pk).update(
            stored_total_charges=self.stored_total_charges,
            stored_public_subsidies=self.stored_public_subsidies,
        )

    @property
    def cerfa_number(self):
        return "15059" if self.kind == self.Kind.REALISED else "12156"

    @property
    def is_realised(self):
        return self.kind == self.Kind.REALISED

    # -- Totals: always derived from the lines ------------------------------------------------

    @cached_property
    def _lines(self):
        """The lines, read once (or from the prefetch cache); refresh_from_db() re-reads them."""
        return list(self.lines.all())

    def _sum(self, side):
        return sum((line.amount for line in self._lines if line.side == side), ZERO)

    @property
    def total_charges(self) -> Decimal:
        return self._sum(Side.CHARGE)

    @property
    def total_products(self) -> Decimal:
        return self._sum(Side.PRODUCT)

    @property
    def total_contributions_charges(self) -> Decimal:
        return self._sum(Side.CONTRIBUTION_USE)

    @property
    def total_contributions_products(self) -> Decimal:
        return self._sum(Side.CONTRIBUTION)

    @property
    def grand_total_charges(self) -> Decimal:
        return self.total_charges + self.total_contributions_charges

    @property
    def grand_total_products(self) -> Decimal:
        return self.total_products + self.total_contributions_products

    @property
    def public_subsidies_total(self) -> Decimal:
        """All public funders' subsidy lines (for the 153 000 € auditor rule)."""
        return sum(
            (line.amount for line in self._lines if line.side == Side.PRODUCT and line.is_public),
            ZERO,
        )

    def amount_from(self, authority) -> Decimal:
        """What the budget expects from one funding authority: the line(s) pointing to it."""
        authority_id = getattr(authority, "pk", authority)
        return sum((line.amount for line in self._lines if line.authority_id == authority_id), ZERO)

    # -- Layout ------------------------------------------------------------------------------

    def sections(self):
        """The Cerfa layout as plain data: per side, each chapter with its total and lines.

        Every chapter of the chart appears (at zero when the budget has no line for it), in
        the Cerfa order; inside a chapter the lines keep their position.
        """
        by_chapter = {}
        for line in sorted(self._lines, key=lambda li: li.sort_key):
            by_chapter.setdefault(line.chapter, []).append(line)
        sections = {side: [] for side in Side.ORDER}
        for chapter in chart.CHAPTERS:
            lines = by_chapter.get(chapter.account, [])
            head = next((li for li in lines if li.is_chapter), None)
            sections[chapter.side].append(
                ChapterBlock(
                    account=chapter.account,
                    label=head.label if head else chapter.label,
                    head=head,
                    lines=[li for li in lines if li is not head],
                    total=sum((li.amount for li in lines), ZERO),
                )
            )
        return sections

    # -- Checks ------------------------------------------------------------------------------

    @property
    def signed_convention(self):
        """A convention already signed with this budget as its annex I, if any.

        The signed text must not change under it: the budget is then frozen.
        """
        status = self.conventions.model.Status
        return self.conventions.exclude(status__in=[status.DRAFT, status.READY]).first()

    def frozen_message(self):
        return frozen_message(self.signed_convention)

    def problems(self) -> list[BudgetProblem]:
        """Every inconsistency of the budget, each with a French message."""
        problems = []
        charges, products = self.total_charges, self.total_products
        uses, contributions = self.total_contributions_charges, self.total_contributions_products
        if charges != products:
            problems.append(
                BudgetProblem(
                    "charges_products_unbalanced",
                    f"Le budget n'est pas équilibré : total des charges {euros(charges)}, "
                    f"total des produits {euros(products)} (écart de "
                    f"{euros(abs(charges - products))}).",
                )
            )
        if uses != contributions:
            problems.append(
                BudgetProblem(
                    "contributions_unbalanced",
                    "Les contributions volontaires ne sont pas équilibrées : emplois (86) "
                    f"{euros(uses)}, contributions (87) {euros(contributions)}.",
                )
            )
        problems += self._printed_total_problems()
        problems += self._funder_problems()
        return problems

    def _printed_total_problems(self):
        checks = [
            ("printed_total_charges", "Total des charges imprimé", self.total_charges),
            ("printed_total_products", "Total des produits imprimé", self.total_products),
            (
                "printed_grand_total_charges",
                "Total général des charges imprimé",
                self.grand_total_charges,
            ),
            (
                "printed_grand_total_products",
                "Total général des produits imprimé",
                self.grand_total_products,
            ),
        ]
        problems = []
        for field_name, text, computed in checks:
            printed = getattr(self, field_name)
            if printed is not None and printed != computed:
                problems.append(
                    BudgetProblem(
                        field_name,
                        f"{text} : {euros(printed)} ; somme des lignes : {euros(computed)}.",
                    )
                )
        return problems

    def _funder_problems(self):
        """Each granting authority's own line must equal its grant(s) for the year.

        Before any grant is recorded (a forecast filed with the request) there is nothing to
        compare with, so an authority without a grant that year is not reported.
        """

        granted = (
            Grant.objects.filter(association_id=self.association_id, year=self.year)
            .values("authority_id", "authority__name")
            .annotate(total=Sum("amount"))
            .order_by("authority__name")
        )
        named = {line.authority_id for line in self._lines if line.authority_id}
        problems = []
        for row in granted:
            name, expected = row["authority__name"], row["total"]
            in_budget = self.amount_from(row["authority_id"])
            if row["authority_id"] not in named:
                message = (
                    f"Aucune ligne du budget n'est rattachée à {name}, qui attribue "
                    f"{euros(expected)} pour {self.year} : rattachez sa ligne de subvention."
                )
            elif in_budget != expected:
                message = (
                    f"La ligne de {name} indique {euros(in_budget)} alors que ses subventions "
                    f"pour {self.year} totalisent {euros(expected)}."
                )
            else:
                continue
            problems.append(BudgetProblem("funder_line_differs_from_grant", message))
        return problems


@dataclass
class ChapterBlock:
    account: str
    label: str
    head: "AssociationBudgetLine | None"
    lines: list
    total: Decimal

    @property
    def unallocated(self):
        """The amount typed on the chapter line itself (not detailed in sub-lines)."""
        return self.head.amount if self.head else ZERO


class AssociationBudgetLine(models.Model):
    """One line of the Cerfa: a chapter (2-digit account), a standard or a free sub-line."""

    budget = models.ForeignKey(
        AssociationBudget, verbose_name="budget", on_delete=models.CASCADE, related_name="lines"
    )
    side = models.CharField("partie", max_length=20, choices=Side.CHOICES)
    account = models.CharField(
        "compte",
        max_length=chart.MAX_ACCOUNT_LENGTH,
        help_text="Ex. 64 pour le chapitre, 641 pour une sous-ligne.",
    )
    label = models.CharField("libellé", max_length=255)
    amount = _money_field("montant", default=ZERO)
    position = models.PositiveIntegerField("rang", default=0)
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité financeuse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="association_budget_lines",
        help_text="Pour la ligne de subvention d'une collectivité gérée dans l'application.",
    )
    is_public = models.BooleanField(
        "financement public",
        default=False,
        help_text="Compte dans le total des subventions publiques (seuil de 153 000 €).",
    )

    class Meta:
        verbose_name = "ligne de budget d'association"
        verbose_name_plural = "lignes de budget d'association"
        ordering = ["budget", "position", "pk"]
        indexes = [models.Index(fields=["budget", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="association_budget_line_amount_positive",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=(Q(side=Side.CHARGE) & Q(account__startswith="6"))
                | (Q(side=Side.PRODUCT) & Q(account__startswith="7"))
                | (Q(side=Side.CONTRIBUTION_USE) & Q(account__startswith="86"))
                | (Q(side=Side.CONTRIBUTION) & Q(account__startswith="87")),
                name="association_budget_line_side_matches_account",
            ),
            models.CheckConstraint(
                condition=Q(authority__isnull=True) | Q(account__startswith=chart.SUBSIDIES),
                name="association_budget_line_funder_on_subsidies",
            ),
            models.UniqueConstraint(
                fields=["budget", "account", "label"],
                name="association_budget_line_unique_label",
                violation_error_message="Ce budget a déjà une ligne avec ce compte et ce libellé.",
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.label} : {self.amount} €"

    def save(self, *args, **kwargs):
        # The side follows from the account; the database checks they agree.
        self.side = chart.side_of(self.account) or self.side
        super().save(*args, **kwargs)

    @property
    def chapter(self):
        return self.account[:2]

    @property
    def is_chapter(self):
        return len(self.account) == 2

    @property
    def is_subsidy(self):
        return self.account.startswith(chart.SUBSIDIES)

    @property
    def sort_key(self):
        return chart.sort_key(self.account, self.position)

    def clean(self):
        self.account = (self.account or "").strip()
        side = chart.side_of(self.account)
        if side is None:
            raise ValidationError(
                {"account": f"Compte inconnu : indiquez {chart.ALLOWED_CHAPTERS_TEXT}."}
            )
        self.side = side
        if not self.is_subsidy:
            self.is_public = False
            self.authority = None
