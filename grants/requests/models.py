"""Subsidy requests (DOMAIN.md §7): the authority's aid schemes and their yearly campaigns, the
association's request in the layout of Cerfa 12156*06, each submitted version, the messages and
status changes, and the checklist of the pieces. Imported at the end of grants/models.py; the
app label stays "grants".
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from grants.access import scope
from grants.models import GrantNature
from grants.requests import rules
from grants.requests.rules import Status
from grants.smallgrants.models import LetterKind


def _money(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class AuthorityScoped(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's; association managers see nothing through this (they
        reach open campaigns through the public page)."""
        return scope(self, user, authority="authority", association=None)


class AidScheme(models.Model):
    """A dispositif d'aide of an authority, e.g. « Fonctionnement des associations culturelles ».
    Its yearly campaigns take the requests."""

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="aid_schemes",
    )
    name = models.CharField("nom du dispositif", max_length=200)
    description = models.TextField("description", blank=True)
    nature = models.CharField(
        "nature de l'aide",
        max_length=20,
        choices=GrantNature.choices,
        default=GrantNature.OPERATING,
        help_text="Pour un projet, la demande comporte aussi le budget du projet.",
    )
    eligible_structure_types = models.ManyToManyField(
        "associations.StructureType",
        verbose_name="types de structure éligibles",
        blank=True,
        related_name="+",
        help_text="Aucun : toute association est éligible.",
    )
    required_pieces = models.JSONField(
        "pièces exigées",
        default=list,
        blank=True,
        help_text="Codes de associations.documents.PieceKind.",
    )
    convention_template = models.ForeignKey(
        "conventions.ConventionTemplate",
        verbose_name="modèle de convention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Pour les subventions de plus de 23 000 €.",
    )
    letter_kind = models.CharField(
        "acte pour les subventions de 23 000 € ou moins",
        max_length=15,
        choices=LetterKind.choices,
        default=LetterKind.NOTIFICATION,
    )
    budget_imputation = models.CharField(
        "imputation budgétaire", max_length=100, blank=True, help_text="Ex. 65748."
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="agents chargés du dispositif",
        blank=True,
        related_name="aid_schemes",
    )
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = AuthorityScoped.as_manager()

    class Meta:
        verbose_name = "dispositif d'aide"
        verbose_name_plural = "dispositifs d'aide"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"],
                name="aid_scheme_unique_name",
                violation_error_message="La collectivité a déjà un dispositif de ce nom.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_project(self):
        return self.nature == GrantNature.PROJECT


class Campaign(models.Model):
    """One year of an aid scheme: when requests are taken, and the envelope of credits."""

    scheme = models.ForeignKey(
        AidScheme, verbose_name="dispositif", on_delete=models.PROTECT, related_name="campaigns"
    )
    # Stored so that scoped lists and counts need no join (PERFORMANCE.md trap 9).
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="campaigns",
        editable=False,
    )
    year = models.PositiveIntegerField(
        "exercice", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField("intitulé", max_length=200, blank=True)
    opens_on = models.DateField("ouverture des dépôts")
    closes_on = models.DateField("clôture des dépôts")
    envelope = _money("enveloppe", default=0)
    instructions = models.TextField(
        "informations pour les associations",
        blank=True,
        help_text="Affichées sur la page publique.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = AuthorityScoped.as_manager()

    class Meta:
        verbose_name = "campagne"
        verbose_name_plural = "campagnes"
        ordering = ["-year", "scheme__name"]
        indexes = [models.Index(fields=["authority", "closes_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year"],
                name="campaign_unique_year",
                violation_error_message="Ce dispositif a déjà une campagne pour cet exercice.",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="campaign_dates_ordered",
                violation_error_message="La clôture ne peut précéder l'ouverture.",
            ),
            models.CheckConstraint(condition=Q(envelope__gte=0), name="campaign_envelope_positive"),
        ]

    def __str__(self):
        return self.title or f"{self.scheme.name} — {self.year}"

    def save(self, *args, **kwargs):
        self.authority_id = self.scheme.authority_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("campaign_detail", args=[self.pk])

    def is_open(self, today=None):
        return rules.campaign_is_open(self.opens_on, self.closes_on, today or timezone.localdate())


class SubsidyRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's requests once deposited (a draft is the association's
        own); managers see their associations' requests, drafts included."""
        visible = scope(self, user, authority="authority", association="association")
        if user.is_authenticated and not user.is_manager:
            return visible.exclude(status=Status.DRAFT)
        return visible

    def counted(self):
        return self.filter(status__in=rules.COUNTED)


def refusal_letter_upload_to(instance, filename):
    return f"requests/{instance.pk}/refus-{uuid.uuid4().hex}.pdf"


class SubsidyRequest(models.Model):
    """A request for a subsidy (demande de subvention), in the layout of Cerfa 12156*06."""

    class Opinion(models.TextChoices):
        FAVORABLE = "favorable", "Favorable"
        PARTIAL = "reserve", "Favorable avec réserves"
        UNFAVORABLE = "defavorable", "Défavorable"

    campaign = models.ForeignKey(
        Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="requests"
    )
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.PROTECT,
        related_name="subsidy_requests",
    )
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="subsidy_requests",
        editable=False,
    )
    reference = models.CharField("numéro", max_length=30, blank=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The furthest step of the form the association reached (to resume where it left).
    last_step = models.CharField("dernière étape", max_length=30, blank=True)
    # What the form could not store yet (grants/requests/filing.py): the raw values that failed
    # validation, kept as typed with their error until corrected ({"invalid": {field: text}}),
    # and whether the contrat d'engagement républicain box is ticked before the deposit.
    draft_data = models.JSONField("brouillon de saisie", default=dict, blank=True)

    # 1. Identification: the legal representative and the person in charge of the request.
    representative_name = models.CharField("représentant légal", max_length=150, blank=True)
    representative_title = models.CharField("qualité", max_length=100, blank=True)
    representative_email = models.EmailField("courriel du représentant", blank=True)
    representative_phone = models.CharField("téléphone du représentant", max_length=30, blank=True)
    contact_name = models.CharField("personne chargée du dossier", max_length=150, blank=True)
    contact_function = models.CharField("fonction", max_length=100, blank=True)
    contact_email = models.EmailField("courriel", blank=True)
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)

    # 2. Relations with the administration and other associations.
    approvals = models.TextField(
        "agréments administratifs", blank=True, help_text="Type, service attributaire, date."
    )
    public_utility = models.BooleanField("reconnue d'utilité publique", default=False)
    public_utility_date = models.DateField("date de la reconnaissance", null=True, blank=True)
    network = models.CharField(
        "union, fédération ou réseau", max_length=200, blank=True, help_text="Nom et SIRET."
    )
    vat_liable = models.BooleanField("assujettie à la TVA", default=False)
    corporate_tax_liable = models.BooleanField("assujettie aux impôts commerciaux", default=False)
    has_auditor = models.BooleanField("dispose d'un commissaire aux comptes", default=False)

    # 3. Human resources (at 31 December of the last year).
    members_count = models.PositiveIntegerField("nombre d'adhérents", null=True, blank=True)
    volunteers_count = models.PositiveIntegerField("nombre de bénévoles", null=True, blank=True)
    civic_volunteers_count = models.PositiveIntegerField(
        "nombre de volontaires (service civique)", null=True, blank=True
    )
    employees_count = models.PositiveIntegerField("nombre de salariés", null=True, blank=True)
    employees_fte = models.DecimalField(
        "équivalents temps plein travaillé (ETPT)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
    )
    seconded_staff_count = models.PositiveIntegerField(
        "personnels mis à disposition", null=True, blank=True
    )
    top_salaries_total = _money(
        "montant total des trois plus hauts salaires annuels bruts", null=True, blank=True
    )

    # 4. Budgets: the association's yearly forecast budget and, for a project, its budget.
    yearly_budget = models.ForeignKey(
        "associations.AssociationBudget",
        verbose_name="budget prévisionnel annuel de l'association",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project_budget = models.ForeignKey(
        "associations.AssociationBudget",
        verbose_name="budget du projet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # 5. Description of the project or of the general activity.
    title = models.CharField("intitulé", max_length=300, blank=True)
    objectives = models.TextField("objectifs", blank=True)
    description = models.TextField("description", blank=True)
    target_public = models.TextField("public bénéficiaire", blank=True)
    location = models.CharField("territoire ou lieu de réalisation", max_length=200, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    means = models.TextField("moyens mis en œuvre", blank=True)
    evaluation = models.TextField("indicateurs et méthodes d'évaluation", blank=True)

    # 6. The amount asked and the attestations (signed by the representative or a delegate).
    amount_requested = _money("montant demandé", null=True, blank=True)
    attest_accurate = models.BooleanField(
        "certifie exactes et sincères les informations de la demande", default=False
    )
    attest_obligations = models.BooleanField(
        "certifie que l'association est à jour de ses obligations fiscales et sociales",
        default=False,
    )
    attest_de_minimis = models.BooleanField(
        "atteste ne pas avoir reçu plus de 300 000 € d'aides publiques sur les trois derniers "
        "exercices (régime de minimis)",
        default=False,
    )
    signatory_name = models.CharField("nom du signataire", max_length=150, blank=True)
    signatory_title = models.CharField("qualité du signataire", max_length=100, blank=True)
    # The contrat d'engagement républicain (loi 2000-321 art. 10-1): who subscribed, when.
    cer_subscribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="contrat d'engagement républicain souscrit par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cer_subscribed_at = models.DateTimeField("souscrit le", null=True, blank=True)

    # Instruction.
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    version = models.PositiveIntegerField("version déposée", default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="agent instructeur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    opinion = models.CharField("avis technique", max_length=15, choices=Opinion.choices, blank=True)
    opinion_text = models.TextField("motivation de l'avis", blank=True)
    proposed_amount = _money("montant proposé", null=True, blank=True)
    decision_reason = models.TextField(
        "motif", blank=True, help_text="Du refus ou du classement sans suite."
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    grant = models.OneToOneField(
        "grants.Grant",
        verbose_name="subvention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
    )
    refusal_letter = models.FileField(
        "lettre de refus", upload_to=refusal_letter_upload_to, blank=True
    )
    refusal_letter_sha256 = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = SubsidyRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de subvention"
        verbose_name_plural = "demandes de subvention"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["authority", "status"]),
            models.Index(fields=["association", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="request_status_known"
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="request_amount_requested_positive",
                violation_error_message="Le montant demandé doit être positif.",
            ),
            models.CheckConstraint(
                condition=Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=0),
                name="request_proposed_amount_positive",
                violation_error_message="Le montant proposé ne peut être négatif.",
            ),
            # A deposited request has its amount, its date and its CER subscription.
            models.CheckConstraint(
                condition=Q(status="brouillon")
                | (
                    Q(amount_requested__isnull=False)
                    & Q(submitted_at__isnull=False)
                    & Q(cer_subscribed_at__isnull=False)
                    & Q(version__gte=1)
                ),
                name="request_submitted_complete",
            ),
            # An instructed (or voted) request carries its proposed amount.
            models.CheckConstraint(
                condition=~Q(status__in=["instruite", "votee"]) | Q(proposed_amount__isnull=False),
                name="request_instructed_has_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(status="votee") | Q(grant__isnull=False),
                name="request_voted_has_grant",
            ),
            models.UniqueConstraint(
                fields=["authority", "reference"],
                condition=~Q(reference=""),
                name="request_unique_reference",
            ),
        ]

    def __str__(self):
        label = self.reference or f"Demande {self.pk}"
        return f"{label} — {self.association}"

    def save(self, *args, **kwargs):
        if self.campaign_id and not self.authority_id:
            self.authority_id = self.campaign.authority_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("request_detail", args=[self.pk])

    @property
    def is_editable_by_association(self):
        return self.status in rules.EDITABLE_BY_ASSOCIATION

    @property
    def is_final(self):
        return self.status in rules.FINAL


class RequestVersion(models.Model):
    """What the association deposited, each time it deposited (kept whole: a correction never
    overwrites the version staff read first)."""

    request = models.ForeignKey(
        SubsidyRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("version")
    submitted_at = models.DateTimeField("déposée le")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField("contenu déposé")

    class Meta:
        verbose_name = "version déposée"
        verbose_name_plural = "versions déposées"
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="request_version_unique")
        ]

    def __str__(self):
        return f"Version {self.number} — {self.request}"


class RequestEvent(models.Model):
    """A status change or a message on a request, in order. The association reads every event
    but internal notes."""

    class Kind(models.TextChoices):
        STATUS = "statut", "Changement de statut"
        MESSAGE = "message", "Message"
        NOTE = "note", "Note interne"
        ASSIGNED = "affectation", "Affectation"

    request = models.ForeignKey(
        SubsidyRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("type", max_length=15, choices=Kind.choices)
    from_status = models.CharField("ancien statut", max_length=20, blank=True)
    to_status = models.CharField("nouveau statut", max_length=20, blank=True)
    text = models.TextField("texte", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "événement de la demande"
        verbose_name_plural = "événements des demandes"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.request}"

    @property
    def is_internal(self):
        return self.kind == self.Kind.NOTE


class RequestPieceCheck(models.Model):
    """Staff's check of one required piece of a request (the instruction's checklist)."""

    class Verdict(models.TextChoices):
        OK = "conforme", "Conforme"
        MISSING = "manquante", "Manquante"
        INVALID = "non_conforme", "Non conforme"

    request = models.ForeignKey(
        SubsidyRequest, verbose_name="demande", on_delete=models.CASCADE, related_name="checks"
    )
    kind = models.CharField("pièce", max_length=20)
    document = models.ForeignKey(
        "associations.AssociationDocument",
        verbose_name="document examiné",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verdict = models.CharField("avis", max_length=15, choices=Verdict.choices)
    comment = models.CharField("commentaire", max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifiée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField("vérifiée le", default=timezone.now)

    class Meta:
        verbose_name = "vérification d'une pièce"
        verbose_name_plural = "vérifications des pièces"
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="request_piece_check_unique")
        ]

    def __str__(self):
        return f"{self.kind} — {self.get_verdict_display()}"
