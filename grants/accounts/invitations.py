"""Invitations of association managers: staff invite by email from the association page; the
link lets the manager choose a password. It is valid 7 days and works once (Django's password
reset token: it hashes the password and the last login, so it changes as soon as the password
is set)."""

from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from grants.access import can_invite_manager, require
from grants.models import Role, User

INVITATION_DAYS = 7


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The reset token with its own salt (a reset link is not an invitation) and 7 days."""

    key_salt = "grants.accounts.invitations.InvitationTokenGenerator"
    timeout = INVITATION_DAYS * 24 * 3600

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_token = InvitationTokenGenerator()


def invitation_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation_accept", args=[uid, invitation_token.make_token(user)])
    return f"{settings.SITE_URL}{path}"


def _send(user, association, invited_by):
    send_mail(
        subject=f"Votre accès à l'espace subventions — {association.name}",
        message=(
            f"Bonjour,\n\n{invited_by} ({association.authority.name}) vous ouvre un accès de "
            f"gestionnaire de l'association « {association.name} » : conventions, demandes de "
            "versement, justificatifs et indicateurs.\n\n"
            f"Choisissez votre mot de passe en suivant ce lien, valable {INVITATION_DAYS} jours "
            f"et une seule fois :\n{invitation_url(user)}\n\n"
            f"Votre identifiant : {user.username}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def manager_invite(*, user, association, email, first_name="", last_name=""):
    """Open (or reuse) the manager account of `email`, attach it to the association and send
    the link once the transaction is committed."""
    require(can_invite_manager(user, association))
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Indiquez l'adresse électronique du gestionnaire."})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_manager:
        raise ValidationError(
            {
                "email": "Cette adresse est celle d'un agent : elle ne peut pas gérer une "
                "association."
            }
        )
    if existing is None:
        invited = User(
            username=email, email=email, first_name=first_name.strip(),
            last_name=last_name.strip(), role=Role.MANAGER, authority=None,
        )  # fmt: skip
        invited.set_unusable_password()
        invited.full_clean(exclude=["password"])
        invited.save()
    else:
        invited = existing
    invited.managed_associations.add(association)
    if not invited.has_usable_password() or existing is None:
        transaction.on_commit(partial(_send, invited, association, user))
    return invited
