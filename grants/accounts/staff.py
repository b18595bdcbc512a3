"""The authority administrator's staff accounts: open one (with a link to choose its password,
the invitation token), change its role, deactivate or reactivate it. Never their own account,
never another authority's."""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from grants.access import can_manage_staff, require
from grants.accounts.invitations import INVITATION_DAYS, invitation_url
from grants.models import Role, User

STAFF_ROLE_CHOICES = [
    (Role.INSTRUCTOR, Role.INSTRUCTOR.label),
    (Role.FINANCE, Role.FINANCE.label),
    (Role.VIEWER, Role.VIEWER.label),
    (Role.ADMIN, "Administrateur de la collectivité"),
]
STAFF_ROLES = {value for value, _ in STAFF_ROLE_CHOICES}
REFUSED = "Seul l'administrateur de la collectivité gère les comptes de ses agents."


def _check_role(role):
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choisissez un rôle d'agent de la collectivité."})


def _check_other(user, target):
    require(can_manage_staff(user, target.authority_id), REFUSED)
    if target.pk == user.pk:
        raise ValidationError(
            "Vous ne pouvez pas modifier votre propre compte : demandez-le à un autre "
            "administrateur de la collectivité."
        )


def _send(account, created_by):
    send_mail(
        subject=f"Votre compte d'agent — {account.authority.name}",
        message=(
            f"Bonjour,\n\n{created_by} vous ouvre un compte « {account.get_role_display()} » "
            f"sur l'espace subventions de {account.authority.name}.\n\n"
            f"Choisissez votre mot de passe en suivant ce lien, valable {INVITATION_DAYS} jours "
            f"et une seule fois :\n{invitation_url(account)}\n\n"
            f"Votre identifiant : {account.username}\n"
        ),
        from_email=None,
        recipient_list=[account.email],
    )


@transaction.atomic
def staff_create(*, user, username, email, role, first_name="", last_name=""):
    """Open a staff account of the administrator's authority and mail it the password link."""
    require(can_manage_staff(user), REFUSED)
    _check_role(role)
    username, email = (username or "").strip(), (email or "").strip().lower()
    errors = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = "Cet identifiant est déjà pris."
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = "Un compte existe déjà avec cette adresse."
    if errors:
        raise ValidationError(errors)
    account = User(
        username=username, email=email, first_name=first_name.strip(),
        last_name=last_name.strip(), role=role, authority_id=user.authority_id,
    )  # fmt: skip
    account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    transaction.on_commit(partial(_send, account, user))
    return account


@transaction.atomic
def staff_change_role(*, user, account, role):
    _check_other(user, account)
    _check_role(role)
    account.role = role
    account.save(update_fields=["role", "is_staff", "is_superuser"])
    return account


@transaction.atomic
def staff_set_active(*, user, account, active):
    """Deactivate (the agent can no longer sign in; their records keep their name) or
    reactivate an account."""
    _check_other(user, account)
    account.is_active = active
    account.save(update_fields=["is_active"])
    return account
