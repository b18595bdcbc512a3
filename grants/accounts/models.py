"""Accounts that associations open themselves: the sign-up (which authority it came through,
when the last confirmation link left) and the requests to be attached to an existing
association, validated by the authority's staff. Imported at the end of grants/models.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.access import scope


class AccountSignup(models.Model):
    """A person who signed up on an authority's page: where to attach their association, and
    the rate limit of the confirmation emails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.CASCADE,
        related_name="signup",
    )
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.CASCADE,
        related_name="signups",
    )
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)
    confirmation_sent_at = models.DateTimeField("dernier lien envoyé le", null=True, blank=True)
    confirmed_at = models.DateTimeField("adresse confirmée le", null=True, blank=True)

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"

    def __str__(self):
        return f"{self.user} — {self.authority}"


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see their authority's requests; a manager only their own (never another
        person's, even for an association they manage)."""
        if user.is_authenticated and user.is_manager:
            return self.filter(user=user)
        return scope(self, user, authority="authority", association=None)

    def pending(self):
        return self.filter(status=AssociationAccessRequest.Status.PENDING)


class AssociationAccessRequest(models.Model):
    """A person asks to manage an association the authority already knows; staff accept (the
    account is attached) or refuse (with a reason shown to the person)."""

    class Status(models.TextChoices):
        PENDING = "en_attente", "En attente de validation"
        ACCEPTED = "acceptee", "Acceptée"
        REFUSED = "refusee", "Refusée"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandeur",
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    authority = models.ForeignKey(
        "grants.Authority",
        verbose_name="collectivité",
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    association = models.ForeignKey(
        "associations.Association",
        verbose_name="association",
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    siren = models.CharField("SIREN indiqué", max_length=9, blank=True)
    rna = models.CharField("RNA indiqué", max_length=10, blank=True)
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'accès à une association"
        verbose_name_plural = "demandes d'accès à une association"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["authority", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "association"],
                condition=Q(status="en_attente"),
                name="access_request_one_pending",
                violation_error_message="Une demande d'accès à cette association est déjà en "
                "attente.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["en_attente", "acceptee", "refusee"]),
                name="access_request_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(siren="", rna=""), name="access_request_names_an_identifier"
            ),
            models.CheckConstraint(
                condition=Q(status="en_attente", decided_at__isnull=True)
                | (~Q(status="en_attente") & Q(decided_at__isnull=False)),
                name="access_request_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="refusee") | ~Q(refusal_reason=""),
                name="access_request_refusal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.association}"

    @property
    def identifiers(self):
        parts = [f"SIREN {self.siren}" if self.siren else "", f"RNA {self.rna}" if self.rna else ""]
        return " · ".join(p for p in parts if p)
