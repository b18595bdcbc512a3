"""Accounts that associations open themselves, from an authority's page.

The person types their email, name and password; the account is inactive until they follow
the link mailed to them (valid SIGNUP_DAYS days, works once: the token hashes whether the
account is active and its last login, which the confirmation changes). The link leaves from a
task once the transaction is committed, at most once a minute per account.
"""

import datetime
from functools import partial

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.accounts.invitations import InvitationTokenGenerator
from grants.models import AccountSignup, Role, User

SIGNUP_DAYS = 3
RESEND_INTERVAL = datetime.timedelta(minutes=1)

EMAIL_TAKEN = (
    "Cette adresse ne peut pas servir à une nouvelle inscription. Si vous avez déjà un compte, "
    "connectez-vous (ou demandez un nouveau mot de passe) ; sinon, indiquez une autre adresse."
)


class SignupTokenGenerator(InvitationTokenGenerator):
    """Its own salt (a confirmation link is neither a reset link nor an invitation) and
    SIGNUP_DAYS days; once the account is active the link no longer works."""

    key_salt = "grants.accounts.signup.SignupTokenGenerator"
    timeout = SIGNUP_DAYS * 24 * 3600

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{int(user.is_active)}"


signup_token = SignupTokenGenerator()


def _pending(email):
    """The inactive, never confirmed account signed up with this email, if any."""
    return (
        User.objects.filter(
            email__iexact=email,
            is_active=False,
            role=Role.MANAGER,
            last_login__isnull=True,
            signup__isnull=False,
            signup__confirmed_at__isnull=True,
        )
        .select_related("signup")
        .first()
    )


def _enqueue(signup):
    from grants.accounts.tasks import send_signup_confirmation_task

    transaction.on_commit(partial(send_signup_confirmation_task.enqueue, signup.user_id))


def _send_link(signup, now=None):
    """Mark the link as sent and enqueue it, unless one left less than a minute ago.
    Returns whether a link was enqueued. The caller holds the signup row locked."""
    now = now or timezone.now()
    if signup.confirmation_sent_at and now - signup.confirmation_sent_at < RESEND_INTERVAL:
        return False
    signup.confirmation_sent_at = now
    signup.save(update_fields=["confirmation_sent_at"])
    _enqueue(signup)
    return True


@transaction.atomic
def account_signup(*, authority, email, first_name, last_name, password):
    """Open the inactive manager account of `email` and mail its confirmation link.

    Signing up again with the email of an account that was never confirmed sends the link
    again (the first password is kept: whoever types an email never changes the password of
    the account that owns it). Returns (user, created).
    """
    email = (email or "").strip().lower()
    pending = _pending(email)
    if pending is not None:
        signup = AccountSignup.objects.select_for_update().get(pk=pending.signup.pk)
        _send_link(signup)
        return pending, False
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError({"email": EMAIL_TAKEN})
    user = User(
        username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip(),
        role=Role.MANAGER, authority=None, is_active=False,
    )  # fmt: skip
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same email signed up at the same instant
        raise ValidationError({"email": EMAIL_TAKEN}) from None
    signup = AccountSignup.objects.create(user=user, authority=authority)
    _send_link(signup)
    return user, True


@transaction.atomic
def signup_resend(*, email):
    """Send the link again to the account of `email` if it still waits for its confirmation
    (at most once a minute). Says nothing of other accounts: returns whether a link left."""
    pending = _pending((email or "").strip().lower())
    if pending is None:
        return False
    signup = AccountSignup.objects.select_for_update().get(pk=pending.signup.pk)
    return _send_link(signup)


@transaction.atomic
def signup_confirm(*, user, token):
    """Activate the account whose link this is. Raises ValidationError for an expired, used
    or forged link."""
    user = User.objects.select_for_update().filter(pk=user.pk).first()
    if user is None or user.is_active or not signup_token.check_token(user, token):
        raise ValidationError(
            "Ce lien de confirmation n'est plus valable : il a déjà servi ou il a expiré "
            f"({SIGNUP_DAYS} jours)."
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    AccountSignup.objects.filter(user=user).update(confirmed_at=timezone.now())
    return user
