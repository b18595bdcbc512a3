"""Elected bodies, their members, sessions with attendance, and deliberations.

Everything a clerk counts (members in office, present, proxies, votes, quorum, status) is derived
from the recorded facts, never typed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from associations.models import Civility
from deliberations import rules
from deliberations.attendance import AttendanceStatus, AttendanceSummary
from grants.access import scope
from grants.validators import validate_reference_number


class AuthorityScopedQuerySet(models.QuerySet):
    """Staff see their authority's records, platform administrators all; nobody else any."""

    authority_path = "authority"

    def visible_to(self, user):
        return scope(self, user, authority=self.authority_path, association=None)


class BodyQuerySet(AuthorityScopedQuerySet):
    pass


class Body(models.Model):
    """An elected body (instance) of an authority: its Bureau, its Conseil."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "Bureau"
        COUNCIL = "conseil", "Conseil"

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    name = models.CharField(
        "nom",
        max_length=150,
        help_text="Tel que l'imprime le registre, ex. « Bureau métropolitain ».",
    )

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = "instance"
        verbose_name_plural = "instances"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"],
                name="body_unique_name_per_authority",
                violation_error_message="Cette collectivité a déjà une instance de ce nom.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("body_detail", args=[self.pk])

    @property
    def deliberating_phrase(self):
        """« Le Bureau de Saint-Étienne Métropole, après en avoir délibéré : »."""
        return f"Le {self.get_kind_display()} de {self.authority.name}, après en avoir délibéré :"


class MemberQuerySet(AuthorityScopedQuerySet):
    authority_path = "body__authority"

    def in_office(self, date):
        return self.filter(mandate_start__lte=date).filter(
            Q(mandate_end__isnull=True) | Q(mandate_end__gte=date)
        )


class Member(models.Model):
    """An elected member (élu) of a body, for one mandate."""

    body = models.ForeignKey(
        Body, verbose_name="instance", on_delete=models.PROTECT, related_name="members"
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100, help_text="En capitales, ex. FAYOLLE.")
    mandate_start = models.DateField("début du mandat")
    mandate_end = models.DateField("fin du mandat", null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "membre"
        verbose_name_plural = "membres"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "last_name", "first_name", "mandate_start"],
                name="member_unique_mandate",
                violation_error_message="Ce membre est déjà enregistré pour ce mandat.",
            ),
            models.CheckConstraint(
                condition=Q(mandate_end__isnull=True)
                | Q(mandate_end__gte=models.F("mandate_start")),
                name="member_mandate_end_after_start",
                violation_error_message="La fin du mandat précède son début.",
            ),
        ]

    def __str__(self):
        return f"{self.civility} {self.full_name}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_woman(self):
        return self.civility == Civility.MRS

    def in_office_on(self, date):
        return self.mandate_start <= date and (self.mandate_end is None or self.mandate_end >= date)


class SessionQuerySet(AuthorityScopedQuerySet):
    authority_path = "body__authority"


class Session(models.Model):
    """A session (séance) of a body, with its attendance."""

    body = models.ForeignKey(
        Body, verbose_name="instance", on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField("date de la séance")
    convocation_date = models.DateField("date de convocation")
    second_convocation = models.BooleanField(
        "réunie sur seconde convocation",
        default=False,
        help_text=(
            "À cocher si une première séance n'a pas atteint le quorum : la séance peut alors "
            "délibérer quel que soit le nombre de présents (CGCT L.2121-17)."
        ),
    )
    presiding = models.ForeignKey(
        Member,
        verbose_name="président de séance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions_presided",
    )
    presiding_title = models.CharField(
        "qualité du président de séance",
        max_length=100,
        blank=True,
        help_text="Imprimée au-dessus de sa signature, ex. « La Première Vice-Présidente ».",
    )
    secretary = models.ForeignKey(
        Member,
        verbose_name="secrétaire de séance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions_as_secretary",
    )
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="présences saisies par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance_recorded_at = models.DateTimeField("présences saisies le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["-date", "body__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date"],
                name="session_unique_per_body_and_date",
                violation_error_message="Cette instance a déjà une séance à cette date.",
            ),
            models.CheckConstraint(
                condition=Q(convocation_date__lte=models.F("date")),
                name="session_convened_before_it_sits",
                violation_error_message="La convocation ne peut pas être postérieure à la séance.",
            ),
        ]

    def __str__(self):
        return f"{self.body} du {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        """Its deliberations store its date (Deliberation.decided_on): a moved session moves
        them (here rather than in a service: admin edits must move them too)."""
        super().save(*args, **kwargs)
        self.deliberations.exclude(decided_on=self.date).update(decided_on=self.date)

    def get_absolute_url(self):
        return reverse("session_detail", args=[self.pk])

    @property
    def authority(self):
        return self.body.authority

    @property
    def presiding_signature_title(self):
        if self.presiding_title:
            return self.presiding_title
        if self.presiding is None:
            return ""
        return "La Présidente de séance" if self.presiding.is_woman else "Le Président de séance"

    @property
    def secretary_signature_title(self):
        if self.secretary is None:
            return ""
        return "La Secrétaire de Séance" if self.secretary.is_woman else "Le Secrétaire de Séance"

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("attendance", None)
        super().refresh_from_db(*args, **kwargs)

    @cached_property
    def attendance(self):
        """The derived counts and lists; two queries (members in office, attendance rows)."""
        members = list(self.body.members.in_office(self.date))
        records = list(self.attendances.all())
        return AttendanceSummary.build(self, members, records)


class Attendance(models.Model):
    """One member's attendance at one session."""

    Status = AttendanceStatus

    session = models.ForeignKey(
        Session, verbose_name="séance", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name="membre", on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField("présence", max_length=20, choices=Status.choices)
    proxy_holder = models.ForeignKey(
        Member,
        verbose_name="pouvoir donné à",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_held",
    )

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="attendance_unique_member_per_session"
            ),
            # CGCT L.2121-20: a member may hold only one proxy.
            models.UniqueConstraint(
                fields=["session", "proxy_holder"],
                condition=Q(proxy_holder__isnull=False),
                name="attendance_one_proxy_per_holder",
                violation_error_message="Un membre ne peut détenir qu'un seul pouvoir.",
            ),
            models.CheckConstraint(
                condition=(Q(status="represente") & Q(proxy_holder__isnull=False))
                | (~Q(status="represente") & Q(proxy_holder__isnull=True)),
                name="attendance_proxy_iff_represented",
                violation_error_message="Un membre représenté donne pouvoir à un autre membre.",
            ),
            models.CheckConstraint(
                condition=~Q(proxy_holder=models.F("member")),
                name="attendance_no_proxy_to_oneself",
                violation_error_message="Un membre ne peut pas se donner pouvoir à lui-même.",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_status_display()}"


EXTRACT_FIELDS = {"extract_pdf", "extract_sha256", "extract_source_sha256", "extract_generated_at"}


class DeliberationQuerySet(AuthorityScopedQuerySet):
    pass


class Deliberation(models.Model):
    """A deliberation of an elected body; it decides grants."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        REJECTED = "rejetee", "Rejetée"
        ADOPTED = "adoptee", "Adoptée"
        TRANSMITTED = "transmise", "Transmise en préfecture"
        PUBLISHED = "publiee", "Publiée"
        EXECUTORY = "executoire", "Exécutoire"

    class Kind(models.TextChoices):
        COMPLETE = "complete", "Complète (séance et présences)"
        LIGHT = "simplifiee", "Saisie simplifiée"

    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="deliberations",
    )
    number = models.CharField("numéro", max_length=50, validators=[validate_reference_number])
    title = models.CharField("titre", max_length=500)
    session = models.ForeignKey(
        Session,
        verbose_name="séance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberations",
    )
    # A light deliberation (saisie simplifiée) of an assembly run in another tool: the body and
    # the session's date are typed, no session nor attendance; attaching a session later makes
    # it a complete one.
    kind = models.CharField("saisie", max_length=12, choices=Kind.choices, default=Kind.COMPLETE)
    body_name = models.CharField(
        "instance", max_length=150, blank=True, help_text="Ex. « Conseil métropolitain »."
    )
    session_date = models.DateField("date de la séance", null=True, blank=True)
    thematic = models.CharField(
        "thématique", max_length=100, blank=True, help_text="Ex. « Filière industrie »."
    )
    statement = models.TextField(
        "exposé des motifs",
        blank=True,
        help_text="Mise en forme Markdown : paragraphes séparés par une ligne vide, listes « - ».",
    )

    # The vote; votes_for is empty until the vote is recorded.
    votes_for = models.PositiveIntegerField("voix pour", null=True, blank=True)
    votes_against = models.PositiveIntegerField("voix contre", default=0)
    abstentions = models.PositiveIntegerField("abstentions", default=0)
    not_participating = models.PositiveIntegerField("ne prennent pas part au vote", default=0)
    vote_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vote saisi par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    vote_recorded_at = models.DateTimeField("vote saisi le", null=True, blank=True)

    # Legality control and publication.
    prefecture_received_on = models.DateField("reçu en préfecture le", null=True, blank=True)
    transmission_platform = models.CharField(
        "plateforme de transmission", max_length=100, blank=True, help_text="Ex. DOTELEC - iXBus."
    )
    actes_identifier = models.CharField("identifiant @ctes", max_length=80, blank=True)
    published_on = models.DateField("mise en ligne le", null=True, blank=True)
    transmission_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="transmission saisie par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    transmission_recorded_at = models.DateTimeField("transmission saisie le", null=True, blank=True)

    # The day the body voted (the session's date, or the date typed on a light deliberation),
    # stored so that the list sorts and filters on one column of this table through an index
    # instead of joining the sessions and sorting every row; kept equal to `decision_date` by
    # save() and by Session.save() (a session's date moved moves its deliberations').
    decided_on = models.DateField("date de la décision", null=True, blank=True, editable=False)

    # Derived from the facts above on every save; never edited.
    status = models.CharField(
        "statut", max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )

    # The extract of the register, stored with its fingerprint.
    extract_pdf = models.FileField("extrait du registre", upload_to="deliberations/", blank=True)
    extract_sha256 = models.CharField("SHA-256 de l'extrait", max_length=64, blank=True)
    extract_source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    extract_generated_at = models.DateTimeField("extrait généré le", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True, null=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True, null=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "decided_on",
            "extract_pdf",
            "extract_sha256",
            "extract_source_sha256",
            "extract_generated_at",
        ]
    )
    objects = DeliberationQuerySet.as_manager()

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["authority", "status"]),
            models.Index(fields=["authority", "thematic"]),
            # The list's default order (most recent decision first).
            models.Index(
                fields=["authority", "-decided_on", "-number"], name="deliberation_list_order"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "number"],
                name="deliberation_unique_number_per_authority",
                violation_error_message="Ce numéro de délibération existe déjà.",
            ),
            models.UniqueConstraint(
                fields=["authority", "actes_identifier"],
                condition=~Q(actes_identifier=""),
                name="deliberation_unique_actes_identifier",
                violation_error_message="Cet identifiant @ctes est déjà celui d'une autre "
                "délibération.",
            ),
            models.CheckConstraint(
                condition=Q(votes_for__isnull=False)
                | Q(votes_against=0, abstentions=0, not_participating=0),
                name="deliberation_vote_complete",
                violation_error_message="Indiquez le nombre de voix pour.",
            ),
            models.CheckConstraint(
                condition=Q(kind="complete")
                | (Q(session_date__isnull=False) & ~Q(body_name="") & Q(session__isnull=True)),
                name="deliberation_light_has_body_and_date",
                violation_error_message="Indiquez l'instance et la date de la séance.",
            ),
        ]

    def __str__(self):
        return f"Délibération n° {self.number}"

    def save(self, *args, **kwargs):
        """Derive the status; never write the extract's fields from a possibly stale copy (only
        the PDF module sets them, with an UPDATE of those columns alone)."""
        self.status = self.derived_status()
        self.decided_on = self.decision_date
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = [
                *update_fields,
                *(name for name in ("status", "decided_on") if name not in update_fields),
            ]
        elif not self._state.adding and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in EXTRACT_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("deliberation_detail", args=[self.pk])

    # The vote.
    @property
    def vote_recorded(self):
        return self.votes_for is not None

    @property
    def vote(self):
        if not self.vote_recorded:
            return None
        return rules.Vote(
            self.votes_for, self.votes_against, self.abstentions, self.not_participating
        )

    @property
    def is_unanimous(self):
        return self.vote_recorded and self.vote.unanimous

    @property
    def is_light(self):
        return self.kind == self.Kind.LIGHT

    @property
    def has_sitting(self):
        """A session is attached, or (light) the body and the session date are typed."""
        if self.is_light:
            return self.session_date is not None
        return self.session_id is not None

    @property
    def decision_date(self):
        """The day the body voted: its session's, or the date typed on a light one."""
        if self.is_light:
            return self.session_date
        return self.session.date if self.session_id else None

    @property
    def body_label(self):
        if self.is_light:
            return self.body_name
        return self.session.body.name if self.session_id else ""

    @property
    def is_adopted(self):
        return self.has_sitting and self.vote_recorded and self.vote.adopted

    def executory_missing(self):
        """What is still missing for the deliberation to be executory, in French (CGCT L.2131-1);
        empty once it is."""
        if self.is_executory:
            return []
        missing = []
        if not self.has_sitting:
            missing.append("la séance")
        if not self.vote_recorded:
            missing.append("le vote")
        elif not self.vote.adopted:
            return ["la délibération a été rejetée"]
        if self.prefecture_received_on is None:
            missing.append("la transmission en préfecture (accusé de réception @ctes)")
        if self.published_on is None:
            missing.append("la publication")
        return missing

    # Status, derived from the facts.
    def derived_status(self):
        if not self.has_sitting or not self.vote_recorded:
            return self.Status.DRAFT
        if not self.vote.adopted:
            return self.Status.REJECTED
        transmitted = self.prefecture_received_on is not None
        published = self.published_on is not None
        if transmitted and published:
            return self.Status.EXECUTORY
        if transmitted:
            return self.Status.TRANSMITTED
        if published:
            return self.Status.PUBLISHED
        return self.Status.ADOPTED

    @property
    def executory_date(self):
        """The day it became executory: transmitted to the prefecture and published."""
        if not self.is_adopted:
            return None
        return rules.executory_date(self.prefecture_received_on, self.published_on)

    @property
    def is_executory(self):
        return self.executory_date is not None

    @property
    def full_title(self):
        """« Filière industrie : Animation de l'écosystème… », as the register heads it."""
        return f"{self.thematic} : {self.title}" if self.thematic else self.title


class Decision(models.Model):
    """One article of the decision, in order."""

    deliberation = models.ForeignKey(
        Deliberation,
        verbose_name="délibération",
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    position = models.PositiveSmallIntegerField("ordre")
    text = models.TextField("texte de l'article")

    class Meta:
        verbose_name = "article de la décision"
        verbose_name_plural = "articles de la décision"
        ordering = ["position", "pk"]

    def __str__(self):
        return f"Article {self.position}"
