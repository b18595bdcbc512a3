"""Indicators: what each authority asks its associations to report every year (annex V).

An authority defines, per structure type and year, an ordered set of indicators (each with a
unit, an optional women / men split and optional sub-indicators that break it down). An
association fills one report per set: a draft until it is submitted, when it goes with the
balance request (seed SCS art. 6.2 and annex V: "joints à la demande de solde").

The arithmetic of a report (women + men = total, sub-indicators against their parent) is
checked by pure functions in `associations.indicators.checks`, called by the forms and again by
the services; the database checks what it can (non-negative values, the women / men sum).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from grants.access import scope
from grants.models import Tracked


def _value_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, null=True, blank=True)


class IndicatorSetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's sets; managers those of their associations' authorities."""
        if not user.is_authenticated:
            return self.none()
        if user.is_platform_admin:
            return self
        if user.is_manager:
            return self.filter(
                authority__in=user.managed_associations.values("authority_id"),
            )
        if user.authority_id:
            return self.filter(authority_id=user.authority_id)
        return self.none()

    def for_association(self, association, year=None):
        """The sets that apply to an association: its authority's, for its structure type."""
        if association.structure_type_id is None:
            return self.none()
        queryset = self.filter(
            authority_id=association.authority_id,
            structure_type_id=association.structure_type_id,
        )
        return queryset if year is None else queryset.filter(year=year)


class IndicatorSet(Tracked):
    """The indicators one authority asks of one structure type for one year."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="indicator_sets",
    )
    structure_type = models.ForeignKey(
        "associations.StructureType",
        verbose_name="type de structure",
        on_delete=models.PROTECT,
        related_name="indicator_sets",
    )
    year = models.PositiveIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(
        "titre",
        max_length=300,
        help_text="Ex. « Indicateurs d'observation de l'impact des structures d'appui à "
        "l'écosystème d'innovation ».",
    )
    introduction = models.TextField(
        "introduction",
        blank=True,
        help_text="Texte affiché en tête du formulaire de saisie (consignes, rappel de l'annexe).",
    )

    objects = IndicatorSetQuerySet.as_manager()

    class Meta:
        verbose_name = "jeu d'indicateurs"
        verbose_name_plural = "jeux d'indicateurs"
        ordering = ["-year", "structure_type__name"]
        indexes = [models.Index(fields=["authority", "year"])]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "structure_type", "year"],
                name="indicator_set_unique_per_type_and_year",
                violation_error_message="Cette collectivité a déjà un jeu d'indicateurs pour ce "
                "type de structure et cette année.",
            )
        ]

    def __str__(self):
        return f"{self.structure_type} — {self.year}"

    def get_absolute_url(self):
        return reverse("indicator_set_detail", args=[self.pk])


class Indicator(models.Model):
    """One line of a set. `code` is stable across years so that values can be compared."""

    class Unit(models.TextChoices):
        NUMBER = "nombre", "Nombre (entier)"
        EUROS = "euros", "Montant en euros"
        PERCENT = "pourcentage", "Pourcentage"
        TEXT = "texte", "Texte libre"

    class ChildrenRule(models.TextChoices):
        SUM = "somme", "Les sous-indicateurs répartissent le total (leur somme lui est égale)"
        PART = "partie", "Chaque sous-indicateur est une partie du total (« dont »)"

    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name="jeu d'indicateurs",
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    position = models.PositiveIntegerField("ordre", default=0)
    code = models.SlugField(
        "code",
        max_length=60,
        help_text="Identifiant stable d'une année sur l'autre (lettres, chiffres, tirets bas) : "
        "la comparaison rapproche les indicateurs de même code.",
    )
    group = models.CharField(
        "rubrique", max_length=300, blank=True, help_text="Intitulé affiché au-dessus de la ligne."
    )
    label = models.CharField("intitulé", max_length=400)
    help_text = models.CharField("aide à la saisie", max_length=400, blank=True)
    unit = models.CharField("unité", max_length=20, choices=Unit.choices, default=Unit.NUMBER)
    is_gendered = models.BooleanField(
        "réparti entre femmes et hommes",
        default=False,
        help_text="L'association saisit les femmes, les hommes et le total, qui est vérifié.",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="sous-indicateur de",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    children_rule = models.CharField(
        "règle des sous-indicateurs",
        max_length=10,
        choices=ChildrenRule.choices,
        default=ChildrenRule.SUM,
        help_text="Vérification appliquée aux sous-indicateurs de cet indicateur, s'il en a.",
    )
    is_required = models.BooleanField(
        "obligatoire pour soumettre",
        default=True,
        help_text="Un rapport ne peut pas être soumis tant que l'indicateur est vide (0 est une "
        "valeur).",
    )

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["indicator_set", "position", "pk"]
        indexes = [models.Index(fields=["code"])]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "code"],
                name="indicator_unique_code_per_set",
                violation_error_message="Un indicateur de ce jeu a déjà ce code.",
            ),
            models.CheckConstraint(
                condition=~Q(unit="texte", is_gendered=True),
                name="indicator_text_not_gendered",
                violation_error_message="Un indicateur en texte libre ne peut pas être réparti "
                "entre femmes et hommes.",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_numeric(self):
        return self.unit != self.Unit.TEXT

    def clean(self):
        errors = {}
        if self.unit == self.Unit.TEXT and self.is_gendered:
            errors["is_gendered"] = (
                "Un indicateur en texte libre ne peut pas être réparti entre femmes et hommes."
            )
        parent = self.parent
        if parent is not None:
            if self.indicator_set_id and parent.indicator_set_id != self.indicator_set_id:
                errors["parent"] = "L'indicateur parent doit appartenir au même jeu."
            elif self.pk and self._has_ancestor(self.pk):
                errors["parent"] = "Un indicateur ne peut pas être son propre sous-indicateur."
            elif parent.unit == self.Unit.TEXT or self.unit == self.Unit.TEXT:
                errors["parent"] = "Les sous-indicateurs sont réservés aux valeurs chiffrées."
            elif parent.unit != self.unit:
                errors["unit"] = (
                    f"Un sous-indicateur a l'unité de son parent ({parent.get_unit_display()})."
                )
        if errors:
            raise ValidationError(errors)

    def _has_ancestor(self, pk):
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if node.pk == pk:
                return True
            seen.add(node.pk)
            node = node.parent
        return False


class IndicatorReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reports of the associations the user may see (same rule as Association)."""
        return scope(self, user, authority="association__authority", association="association")

    def for_convention(self, convention):
        """The report that goes with a convention's balance request: its association's report
        on its authority's set for the convention's year (at most one)."""
        return self.filter(
            association_id=convention.association_id,
            indicator_set__authority_id=convention.authority_id,
            indicator_set__year=convention.year,
        )


def indicators_awaiting_submission(convention):
    """The indicator set whose report must go with the convention's balance request and is not
    submitted yet (seed annex V: "joints à la demande de solde"), or None."""
    required = IndicatorSet.objects.for_association(convention.association, convention.year)
    required = required.filter(authority_id=convention.authority_id).first()
    if required is None:
        return None
    submitted = IndicatorReport.objects.for_convention(convention).filter(
        indicator_set=required, status=IndicatorReport.Status.SUBMITTED
    )
    return None if submitted.exists() else required


class IndicatorReport(Tracked):
    """An association's values for one set (one year). Draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        SUBMITTED = "soumis", "Soumis"

    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.CASCADE,
        related_name="indicator_reports",
    )
    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name="jeu d'indicateurs",
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(
        "commentaire général", blank=True, help_text="Précisions sur les chiffres, sources…"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="soumis par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField("rouvert le", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rouvert par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField("motif de la réouverture", blank=True)

    objects = IndicatorReportQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport d'indicateurs"
        verbose_name_plural = "rapports d'indicateurs"
        ordering = ["-indicator_set__year", "association__name"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "indicator_set"],
                name="indicator_report_unique_per_set",
                violation_error_message="Cette association a déjà un rapport pour ce jeu "
                "d'indicateurs.",
            ),
            models.CheckConstraint(
                condition=~Q(status="soumis") | Q(submitted_at__isnull=False),
                name="indicator_report_submitted_is_dated",
            ),
        ]

    def __str__(self):
        return f"Indicateurs {self.indicator_set.year} — {self.association}"

    def get_absolute_url(self):
        return reverse("indicator_report_detail", args=[self.association_id, self.indicator_set_id])

    @property
    def year(self):
        return self.indicator_set.year

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class IndicatorValue(models.Model):
    """One indicator's value in a report. `total` is the value; women and men split it."""

    report = models.ForeignKey(
        IndicatorReport, verbose_name="rapport", on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="indicateur", on_delete=models.PROTECT, related_name="values"
    )
    total = _value_field("valeur (total)")
    women = _value_field("femmes")
    men = _value_field("hommes")
    text = models.TextField("texte", blank=True)
    comment = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["report", "indicator__position", "indicator__pk"]
        indexes = [
            # The comparison page: an indicator's filled numeric values and their reports, read
            # from the index alone (associations.indicators.comparison).
            models.Index(
                fields=["indicator", "report"],
                condition=Q(total__isnull=False),
                name="indicator_value_filled_total",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="indicator_value_unique_per_report"
            ),
            models.CheckConstraint(
                condition=(Q(total__isnull=True) | Q(total__gte=0))
                & (Q(women__isnull=True) | Q(women__gte=0))
                & (Q(men__isnull=True) | Q(men__gte=0)),
                name="indicator_value_not_negative",
            ),
            # Women and men are given together, and then they add up to the total.
            models.CheckConstraint(
                condition=Q(women__isnull=True, men__isnull=True)
                | Q(
                    women__isnull=False,
                    men__isnull=False,
                    total__isnull=False,
                    total=F("women") + F("men"),
                ),
                name="indicator_value_women_men_add_up",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} : {self.total if self.total is not None else self.text}"

    @property
    def is_filled(self):
        return self.total is not None or bool(self.text.strip())
