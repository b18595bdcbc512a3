"""The emails of self-service accounts leave from a task worker (django.tasks), never from the
request: the confirmation link is made here, so the token is never stored in the task table."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def confirmation_url(user):
    from grants.accounts.signup import signup_token

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("signup_confirm", args=[uid, signup_token.make_token(user)])
    return f"{settings.SITE_URL}{path}"


@task
def send_signup_confirmation_task(user_id):
    """The confirmation link of an account that signed up; nothing once it is confirmed."""
    from grants.accounts.signup import SIGNUP_DAYS
    from grants.models import User

    user = User.objects.filter(pk=user_id, is_active=False).select_related("signup").first()
    if user is None or not user.email:
        return 0
    authority = user.signup.authority
    send_mail(
        subject=f"Confirmez votre adresse — espace subventions de {authority.name}",
        message=(
            f"Bonjour,\n\nVous venez d'ouvrir un compte sur l'espace subventions de "
            f"{authority.name} pour y représenter votre association.\n\n"
            f"Confirmez votre adresse en suivant ce lien, valable {SIGNUP_DAYS} jours et une "
            f"seule fois :\n{confirmation_url(user)}\n\n"
            f"Votre identifiant : {user.username}\n\n"
            "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message : le compte "
            "restera inactif.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return 1
