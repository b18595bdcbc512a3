"""Conventions (conventions annuelles d'objectifs), their templates, annexes, amendments and
justificatifs.

The article texts come from a versioned template of the authority; every figure printed in a
convention comes from the data (grants, amendments, the association's forecast budget), so totals
and percentages are always right. What was typed on a paper convention is kept in `typed_*`
fields so the consistency panel can show where the paper was wrong.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from grants import rules
from grants.access import scope
from grants.validators import validate_reference_number

# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")

# Every placeholder a template may use, with the help shown to the administrator.
PLACEHOLDERS = {
    "authority.name": "Nom de la collectivité",
    "authority.label": "Désignation de la collectivité dans le texte (ex. « la Métropole »)",
    "authority.city": "Ville de la collectivité",
    "authority.president_title": "Titre du président de la collectivité",
    "authority.president_name": "Nom du président de la collectivité",
    "association.name": "Nom de l'association",
    "association.acronym": "Sigle de l'association",
    "association.representative": "Représentant légal de l'association",
    "year": "Exercice de la convention (CPO : ses exercices, ex. 2024, 2025 et 2026)",
    "years": "Exercices couverts, ex. « 2024, 2025 et 2026 » (convention pluriannuelle)",
    "amounts_by_year": "Tableau des montants votés par exercice, en chiffres et en lettres",
    "number": "Numéro de la convention",
    "amount": "Montant de la subvention (ex. 66 000,00 €)",
    "amount_in_words": "Montant en toutes lettres (ex. soixante-six mille euros)",
    "eligible_cost": "Coût total prévisionnel (total général des charges de l'annexe I)",
    "eligible_cost_in_words": "Coût total prévisionnel en toutes lettres",
    "budget_excluding_contributions": "Total des charges hors contributions volontaires",
    "budget_including_contributions": "Total général des charges, contributions comprises",
    "share_excluding_contributions": "Part de la subvention dans le budget hors contributions",
    "share_including_contributions": "Part de la subvention, contributions volontaires comprises",
    "advance_percentage": "Pourcentage maximal de l'acompte (ex. 80 %)",
    "budget_rules_reference": "Référence du règlement budgétaire et financier",
    "deliberation_date": "Date de la délibération qui approuve la convention",
    "deliberation_number": "Numéro de la délibération",
    "court": "Tribunal administratif compétent et son adresse",
    "court_name": "Nom du tribunal administratif",
    "objectives": "Objectifs de l'association (article 1), propres à la convention",
    "action_categories": "Catégories d'actions du programme (article 1), propres à la convention",
    "justificatifs_due_date": "Date limite de remise des justificatifs",
}


def validate_placeholders(text):
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            "Champ(s) inconnu(s) : %(names)s. Champs possibles : %(allowed)s.",
            params={
                "names": ", ".join("{{ " + n + " }}" for n in unknown),
                "allowed": ", ".join(sorted(PLACEHOLDERS)),
            },
            code="unknown_placeholder",
        )


class ConventionTemplate(models.Model):
    """One version of an authority's convention model. A new version is a new row."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="convention_templates",
    )
    name = models.CharField("nom du modèle", max_length=200)
    version = models.PositiveIntegerField("version", default=1)
    is_active = models.BooleanField(
        "proposé pour les nouvelles conventions",
        default=True,
        help_text="Décochez pour retirer une ancienne version sans la supprimer.",
    )
    title = models.TextField(
        "titre du document",
        help_text="Une ligne par ligne imprimée, ex. « CONVENTION ANNUELLE D'OBJECTIFS ».",
    )
    authority_intro = models.CharField(
        "présentation de la collectivité",
        max_length=100,
        default="L'E.P.C.I.",
        help_text="Ligne qui précède son nom dans le bloc des parties.",
    )
    authority_label = models.CharField(
        "désignation de la collectivité",
        max_length=100,
        default="la Métropole",
        help_text="Comment le texte désigne la collectivité, ex. « la Métropole ».",
    )
    signatory_clause = models.TextField(
        "habilitation du signataire",
        help_text="Bloc des parties, ex. « Sa Présidente en exercice régulièrement habilitée… ».",
        validators=[validate_placeholders],
    )
    signature_place = models.CharField(
        "lieu de signature", max_length=100, blank=True, help_text="« Fait à … »."
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"
        ordering = ["authority__name", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name", "version"],
                name="convention_template_unique_version",
                violation_error_message="Cette version de ce modèle existe déjà.",
            )
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class TemplateSection(models.Model):
    """The preamble, an article or a sub-article of a template, in Markdown with placeholders."""

    class Level(models.IntegerChoices):
        PREAMBLE = 0, "Préambule"
        ARTICLE = 1, "Article"
        SUB_ARTICLE = 2, "Sous-article"

    template = models.ForeignKey(
        ConventionTemplate, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField("ordre")
    level = models.PositiveSmallIntegerField("niveau", choices=Level.choices)
    number = models.CharField("numéro", max_length=10, blank=True, help_text="Ex. 4 ou 4.1.")
    title = models.CharField("titre", max_length=300)
    body = models.TextField(
        "texte",
        blank=True,
        help_text="Markdown ; champs entre doubles accolades, ex. {{ amount }}.",
        validators=[validate_placeholders],
    )

    class Meta:
        verbose_name = "article du modèle"
        verbose_name_plural = "articles du modèle"
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="template_section_unique_position"
            )
        ]

    def __str__(self):
        return self.heading

    @property
    def heading(self):
        if self.level == self.Level.ARTICLE:
            return f"ARTICLE {self.number} : {self.title}"
        if self.level == self.Level.SUB_ARTICLE:
            return f"{self.number} {self.title}"
        return self.title


# --------------------------------------------------------------------------------------------
# Conventions
# --------------------------------------------------------------------------------------------


class ConventionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's conventions; managers their associations' non-drafts."""
        visible = scope(self, user, authority="authority", association="association")
        return visible.exclude(status=Convention.Status.DRAFT) if user.is_manager else visible

    def with_parties(self):
        """What the convention's pages print about it: the association, the authority and the
        forecast budget, in the same query."""
        return self.select_related("association", "authority", "forecast_budget")


class Convention(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annuelle", "Convention annuelle d'objectifs"
        MULTI_YEAR = "pluriannuelle", "Convention pluriannuelle d'objectifs (CPO)"

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        READY = "prete_signature", "Prête pour signature"
        SIGNED_ASSOCIATION = "signee_association", "Signée par l'association"
        SIGNED_AUTHORITY = "signee_collectivite", "Signée par les deux parties"
        NOTIFIED = "notifiee", "Notifiée"
        IN_EXECUTION = "en_execution", "En exécution"
        CLOSED = "soldee", "Soldée"
        TERMINATED = "resiliee", "Résiliée"

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="conventions",
    )
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.PROTECT,
        related_name="conventions",
    )
    grants = models.ManyToManyField(
        "grants.Grant", verbose_name="subventions", related_name="conventions"
    )
    deliberation = models.ForeignKey(
        "deliberations.Deliberation",
        verbose_name="délibération",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
    )
    template = models.ForeignKey(
        ConventionTemplate,
        verbose_name="modèle",
        on_delete=models.PROTECT,
        related_name="conventions",
    )
    template_version = models.PositiveIntegerField(
        "version du modèle", help_text="La version du modèle dont le texte est issu."
    )
    number = models.CharField(
        "numéro", max_length=50, blank=True, validators=[validate_reference_number]
    )
    kind = models.CharField(
        "type de convention", max_length=15, choices=Kind.choices, default=Kind.ANNUAL
    )
    year = models.PositiveIntegerField(
        "exercice",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="Pour une CPO : le premier exercice.",
    )
    # The last financial year covered (= year for an annual convention; 2 to 4 years for a CPO).
    end_year = models.PositiveIntegerField(
        "dernier exercice",
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2103)],
        help_text="CPO : de 2 à 4 exercices ; vide pour une convention annuelle.",
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    advance_percentage = models.DecimalField(
        "acompte maximal (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Par défaut, celui du règlement budgétaire et financier de la collectivité.",
    )
    forecast_budget = models.ForeignKey(
        "associations.AssociationBudget",
        verbose_name="budget prévisionnel (annexe I)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The sum of the grants plus the amendments, kept in step by the services and signals so
    # that lists can filter and sort on it; `amount` recomputes it from the rows.
    amount_total = models.DecimalField(
        "montant", max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )

    # Article 1: what is specific to this association.
    objectives = models.TextField("objectifs (article 1)", blank=True)
    action_categories = models.TextField("catégories d'actions (article 1)", blank=True)

    # What a paper convention printed (kept to show its errors in the consistency panel).
    typed_amount = models.CharField("montant tel qu'imprimé", max_length=50, blank=True)
    typed_eligible_cost = models.CharField(
        "coût éligible tel qu'imprimé (art. 4.1)", max_length=50, blank=True
    )
    typed_share_percentage = models.DecimalField(
        "part du budget imprimée (%) (art. 4.2)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    typed_share_label = models.CharField(
        "libellé de la part imprimée",
        max_length=100,
        blank=True,
        help_text="Ex. « hors contributions volontaires ».",
    )
    association_signatory_name = models.CharField(
        "signataire imprimé pour l'association",
        max_length=150,
        blank=True,
        help_text="Nom du bloc de signature ; vide : le représentant légal de l'association.",
    )

    # Annexes II to V.
    programme_text = models.TextField(
        "annexe III : programme d'actions",
        blank=True,
        help_text=(
            "Markdown. Placez [[salons]] et [[missions]] seuls sur une ligne là où les tableaux "
            "doivent apparaître ; sinon ils suivent le texte."
        ),
    )
    previous_indicators_title = models.CharField("annexe IV : titre", max_length=300, blank=True)
    previous_indicators_note = models.CharField("annexe IV : note", max_length=300, blank=True)
    indicators_title = models.TextField("annexe V : titre", blank=True)
    indicators_intro = models.TextField("annexe V : introduction", blank=True)

    # Lifecycle: each step dated and attributed.
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    ready_at = models.DateTimeField("prête pour signature le", null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    association_signed_at = models.DateField("signée par l'association le", null=True, blank=True)
    association_signer_name = models.CharField(
        "signataire pour l'association", max_length=150, blank=True
    )
    association_signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authority_signed_at = models.DateField("signée par la collectivité le", null=True, blank=True)
    authority_signer_name = models.CharField(
        "signataire pour la collectivité", max_length=150, blank=True
    )
    authority_signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateField("notifiée le", null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    execution_started_at = models.DateField("en exécution depuis le", null=True, blank=True)
    closed_at = models.DateField("soldée le", null=True, blank=True)
    terminated_at = models.DateField("résiliée le", null=True, blank=True)
    termination_reason = models.TextField("motif de résiliation", blank=True)

    # The generated PDF (immutable once signed) and the signed scan (the reference copy).
    pdf_file = models.FileField("PDF généré", upload_to="conventions/pdf/", blank=True)
    pdf_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True)
    pdf_generated_at = models.DateTimeField("PDF généré le", null=True, blank=True)
    pdf_generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_file = models.FileField("exemplaire signé", upload_to="conventions/signed/", blank=True)
    signed_sha256 = models.CharField(
        "empreinte SHA-256 de l'exemplaire signé", max_length=64, blank=True
    )
    signed_uploaded_at = models.DateTimeField("exemplaire signé déposé le", null=True, blank=True)
    signed_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["-year", "number"]
        indexes = [
            models.Index(fields=["authority", "year"]),
            models.Index(fields=["authority", "status"]),
            # The list's default order (exercice, most recent first, then number).
            models.Index(fields=["authority", "-year", "number"], name="convention_list_order"),
            models.Index(fields=["year", "status"]),
            # Joins from payments to their convention's year (staff home totals), index-only.
            models.Index(fields=["year", "id"], name="convention_year_id"),
            models.Index(fields=["amount_total"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(advance_percentage__gte=0) & Q(advance_percentage__lte=100),
                name="convention_advance_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(amount_total__gte=0), name="convention_amount_not_negative"
            ),
            # An annual convention covers its year; a CPO 2 to 4 years (DOMAIN §7).
            models.CheckConstraint(
                condition=Q(kind="annuelle", end_year__isnull=True)
                | Q(kind="annuelle", end_year=models.F("year"))
                | Q(
                    kind="pluriannuelle",
                    end_year__gte=models.F("year") + 1,
                    end_year__lte=models.F("year") + 3,
                ),
                name="convention_years_match_kind",
                violation_error_message=(
                    "Une convention annuelle couvre un exercice ; une convention pluriannuelle, "
                    "de 2 à 4 exercices."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="convention_period_in_order",
                violation_error_message="La fin de la convention précède son début.",
            ),
            models.UniqueConstraint(
                fields=["authority", "number"],
                condition=~Q(number=""),
                name="convention_unique_number_per_authority",
                violation_error_message="Une convention de cette collectivité a déjà ce numéro.",
            ),
        ]

    def __str__(self):
        label = f"n° {self.number}" if self.number else "(sans numéro)"
        return f"Convention {label} — {self.association} — {self.year}"

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.ANNUAL and self.year:
            self.end_year = self.year
        if self.advance_percentage is None and self.authority_id:
            self.advance_percentage = self.authority.default_advance_percentage
        if self.template_version is None and self.template_id:
            self.template_version = self.template.version
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("convention_detail", args=[self.pk])

    # ---- years (an annual convention is a CPO of one year) -------------------------------

    @property
    def is_multi_year(self):
        return self.kind == self.Kind.MULTI_YEAR

    @property
    def last_year(self):
        return self.end_year or self.year

    @property
    def years(self):
        """The financial years the convention covers, in order."""
        return list(range(self.year, self.last_year + 1))

    def amount_for_year(self, year):
        """The amount voted for one year: that year's grant, adjusted by that year's amendments
        (an amendment without a year is one of the first year)."""
        grants = self.grants.filter(year=year).aggregate(total=Sum("amount"))["total"] or 0
        amendment_year = Q(year=year) | (Q(year__isnull=True) if year == self.year else Q(pk=None))
        changes = (
            self.amendments.filter(amendment_year).aggregate(total=Sum("amount_change"))["total"]
            or 0
        )
        return rules.to_money(grants + changes)

    # ---- money ---------------------------------------------------------------------------

    @property
    def grants_total(self):
        return self.grants.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    @property
    def amendments_total(self):
        return self.amendments.aggregate(total=Sum("amount_change"))["total"] or Decimal("0.00")

    @property
    def amount(self):
        """The voted amount: the grants, adjusted by the amendments."""
        return rules.to_money(self.grants_total + self.amendments_total)

    # ---- lifecycle -----------------------------------------------------------------------

    @property
    def is_signed_by_both(self):
        return (
            self.association_signed_at is not None
            and self.authority_signed_at is not None
            and self.status not in {self.Status.DRAFT, self.Status.READY, self.Status.TERMINATED}
        )

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    @property
    def pdf_is_frozen(self):
        """Once a party signed, the generated PDF is never rewritten."""
        return self.status not in {self.Status.DRAFT, self.Status.READY}

    @property
    def reference_file(self):
        """The signed scan once uploaded, else the generated PDF."""
        return self.signed_file or self.pdf_file

    @property
    def pdf_is_stale(self):
        return (
            bool(self.pdf_file)
            and not self.pdf_is_frozen
            and (self.pdf_generated_at is None or self.updated_at > self.pdf_generated_at)
        )

    # ---- obligations ---------------------------------------------------------------------

    @property
    def justificatifs_due_date(self):
        return self.justificatifs_due_date_for(self.year)

    def justificatifs_due_date_for(self, year):
        """Six months after the close of that year's financial year (seed SCS art. 6.2)."""
        return rules.justificatifs_due_date(self.association.fiscal_year_end(year))

    def obligations(self):
        # obligations.py reads Justificatif, defined after this module: imported here.
        from conventions.obligations import convention_obligations

        return convention_obligations(self)

    @property
    def required_justificatif_kinds(self):
        return self.obligations().required_kinds

    @property
    def required_justificatifs_accepted(self):
        return all(self.required_justificatifs_accepted_for(year) for year in self.years)

    def required_justificatifs_accepted_for(self, year):
        required = set(self.required_justificatif_kinds)
        accepted = set(
            self.justificatifs.filter(
                status=Justificatif.Status.ACCEPTED, is_current=True, year=year
            ).values_list("kind", flat=True)
        )
        return required <= accepted


class ConventionEvent(models.Model):
    """The journal of a convention: every step, who and when."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("action", max_length=200)
    from_status = models.CharField(max_length=20, choices=Convention.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Convention.Status.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "événement de la convention"
        verbose_name_plural = "événements de la convention"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.action

    @classmethod
    def record(cls, convention, user, action, from_status=""):
        """Write one step in the journal; a status change records where it came from."""
        return cls.objects.create(
            convention=convention,
            user=user,
            action=action,
            from_status=from_status,
            to_status=convention.status if from_status else "",
        )


class Amendment(models.Model):
    """An avenant: its own deliberation; changes the amount and/or the dates. Keeps the values
    it replaced so the history reads without recomputation."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField("numéro de l'avenant")
    deliberation = models.ForeignKey(
        "deliberations.Deliberation",
        verbose_name="délibération",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    signed_at = models.DateField("signé le")
    year = models.PositiveIntegerField(
        "exercice concerné",
        null=True,
        blank=True,
        help_text="Pour une CPO : l'exercice dont le montant change ; vide : le premier.",
    )
    reason = models.TextField("objet de l'avenant")
    amount_change = models.DecimalField(
        "variation du montant",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Positive pour une augmentation, négative pour une diminution.",
    )
    previous_amount = models.DecimalField(
        "montant avant l'avenant", max_digits=12, decimal_places=2
    )
    new_amount = models.DecimalField("montant après l'avenant", max_digits=12, decimal_places=2)
    previous_start_date = models.DateField("début avant l'avenant", null=True, blank=True)
    previous_end_date = models.DateField("fin avant l'avenant", null=True, blank=True)
    new_start_date = models.DateField("nouveau début", null=True, blank=True)
    new_end_date = models.DateField("nouvelle fin", null=True, blank=True)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"], name="amendment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(new_amount__gt=0), name="amendment_new_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(new_amount=models.F("previous_amount") + models.F("amount_change")),
                name="amendment_amounts_add_up",
            ),
        ]

    def __str__(self):
        return f"Avenant n° {self.number}"


# --------------------------------------------------------------------------------------------
# Annexes
# --------------------------------------------------------------------------------------------


class NonFinancialContribution(models.Model):
    """Annex II: a contribution in kind (volunteering, premises, staff, equipment)."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="contributions"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    description = models.CharField("type de contribution", max_length=300)
    valuation = models.DecimalField(
        "valorisation", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "contribution non financière"
        verbose_name_plural = "contributions non financières"
        ordering = ["convention", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valuation__isnull=True) | Q(valuation__gte=0),
                name="contribution_valuation_not_negative",
            )
        ]

    def __str__(self):
        return self.description


DATE_TEXT_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date_text(text):
    """'27/02/2023' → date; free text ('Q1 2023', 'Dates 2023 non connues…') → None."""
    match = DATE_TEXT_RE.match((text or "").strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


class ProgrammeEvent(models.Model):
    """Annex III: a trade fair or a mission of the action programme."""

    class Kind(models.TextChoices):
        TRADE_FAIR = "salon", "Salon"
        MISSION = "mission", "Mission"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="programme_events"
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    position = models.PositiveIntegerField("ordre", default=0)
    name = models.CharField("intitulé", max_length=200)
    theme = models.CharField("thématique", max_length=200, blank=True)
    city = models.CharField("lieu", max_length=100, blank=True)
    country = models.CharField("pays", max_length=100, blank=True)
    start = models.CharField(
        "début", max_length=100, blank=True, help_text="JJ/MM/AAAA ou texte (« Q1 2023 »)."
    )
    end = models.CharField("fin", max_length=100, blank=True)
    companies = models.PositiveIntegerField("nombre d'entreprises visées", null=True, blank=True)
    stand = models.BooleanField("stand", default=False)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "salon ou mission"
        verbose_name_plural = "salons et missions"
        ordering = ["convention", "kind", "position", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    @property
    def start_date(self):
        return parse_date_text(self.start)

    @property
    def end_date(self):
        return parse_date_text(self.end)


class PreviousIndicator(models.Model):
    """Annex IV: a key figure of the previous period (label: value)."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="previous_indicators"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    group = models.PositiveSmallIntegerField(
        "groupe", default=1, help_text="Les groupes sont séparés par un espace à l'impression."
    )
    label = models.CharField("indicateur", max_length=300)
    value = models.CharField("valeur", max_length=100)

    class Meta:
        verbose_name = "indicateur de la période précédente"
        verbose_name_plural = "indicateurs de la période précédente"
        ordering = ["convention", "group", "position", "pk"]

    def __str__(self):
        return f"{self.label} : {self.value}"


class IndicatorToReport(models.Model):
    """Annex V: an indicator the association reports with its balance request."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="indicators_to_report"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    label = models.CharField("indicateur", max_length=400)
    is_detail = models.BooleanField(
        "sous-élément", default=False, help_text="Imprimé en retrait sous l'indicateur précédent."
    )

    class Meta:
        verbose_name = "indicateur à renseigner"
        verbose_name_plural = "indicateurs à renseigner"
        ordering = ["convention", "position", "pk"]

    def __str__(self):
        return self.label


# Justificatifs (seed SCS art. 6.2) and notifications: models of the sub-packages.
from conventions.justificatifs.models import Justificatif  # noqa: E402, F401

# Notifications (on screen and by email) and the reminders already sent.
from conventions.notifications.models import Notification, ReminderSent  # noqa: E402, F401
