"""A person opens the account of their association from the authority's page: the account is
inactive until the link mailed by a task (valid 3 days, once) is followed."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from grants.models import AccountSignup, Role, User
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-solide-42"


def form(**overrides):
    data = {
        "email": "Claire.Martin@Asso.example",
        "first_name": "Claire",
        "last_name": "Martin",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def sign_up(client, capture, authority, **overrides):
    with capture(execute=True):
        return client.post(reverse("signup", args=[authority.siren]), form(**overrides))


def link_path(message):
    link = re.search(r"\S*/compte/inscription/[^/\s]+/[^/\s]+/", message.body).group(0)
    return link[link.index("/compte/") :]


def test_sign_up_mails_a_link_that_activates_logs_in_and_leads_to_attach(
    client, django_capture_on_commit_callbacks
):
    authority = AuthorityFactory(name="Métropole Aix-Marseille-Provence")
    response = sign_up(client, django_capture_on_commit_callbacks, authority)
    assert response.status_code == 302 and response.url == reverse("signup_sent")
    user = User.objects.get(username="claire.martin@asso.example")
    assert (user.email, user.role, user.authority, user.is_active) == (
        "claire.martin@asso.example", Role.MANAGER, None, False,
    )  # fmt: skip
    assert user.check_password(PASSWORD)
    assert AccountSignup.objects.get(user=user).authority == authority
    page = client.get(reverse("signup_sent"))
    assert "claire.martin@asso.example" in page.text and "Renvoyer le lien" in page.text
    [message] = mail.outbox
    assert message.to == ["claire.martin@asso.example"]
    assert "Métropole Aix-Marseille-Provence" in message.subject
    assert "3 jours" in message.body

    # Opening the link (a mail scanner does too) confirms nothing; the button does.
    path = link_path(message)
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(path)
    assert response.url == reverse("association_attach", args=[authority.siren])
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("home")).context["user"] == user


def test_the_email_leaves_from_a_task_never_from_the_request(
    client, settings, django_capture_on_commit_callbacks
):
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    sign_up(client, django_capture_on_commit_callbacks, AuthorityFactory())
    assert mail.outbox == []
    [queued] = default_task_backend.results
    assert queued.task.name == "send_signup_confirmation_task"
    assert queued.args == [User.objects.get().pk]


def test_the_link_works_once(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks, AuthorityFactory())
    path = link_path(mail.outbox[-1])
    client.post(path)
    client.logout()
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 400
        assert "il a déjà servi ou il a expiré" in response.text
        assert "Envoyer un nouveau lien" in response.text
    assert "_auth_user_id" not in client.session


def test_the_link_expires_after_three_days_and_a_new_one_can_be_asked(
    client, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        sign_up(client, django_capture_on_commit_callbacks, AuthorityFactory())
    path = link_path(mail.outbox[-1])
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, 1, tzinfo=datetime.UTC)):
        response = client.post(path)
        assert response.status_code == 400 and "expiré (3 jours)" in response.text
        assert not User.objects.get().is_active
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("signup_resend"), {"email": "claire.martin@asso.example"})
        assert len(mail.outbox) == 2
        assert client.post(link_path(mail.outbox[-1])).status_code == 302
    assert User.objects.get().is_active


def test_a_forged_link_answers_400_and_logs_nobody_in(client):
    user = ManagerFactory(is_active=False)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = client.post(reverse("signup_confirm", args=[uid, "1234-forged"]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_an_email_already_in_use_is_refused_with_nothing_typed_lost(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="claire.martin@asso.example", role=Role.INSTRUCTOR)
    response = sign_up(client, django_capture_on_commit_callbacks, AuthorityFactory())
    assert response.status_code == 200
    assert "ne peut pas servir à une nouvelle inscription" in response.text
    assert "connectez-vous" in response.text
    # The message does not say whose account it is (staff or manager, active or not).
    assert "agent" not in response.context["form"].errors["email"][0]
    assert 'value="Claire"' in response.text and 'value="Martin"' in response.text
    assert 'value="Claire.Martin@Asso.example"' in response.text
    assert User.objects.filter(role=Role.MANAGER).count() == 0
    assert mail.outbox == []


def test_signing_up_again_before_confirming_resends_the_link_and_keeps_the_password(
    client, django_capture_on_commit_callbacks
):
    authority = AuthorityFactory()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        sign_up(client, django_capture_on_commit_callbacks, authority)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 5, tzinfo=datetime.UTC)):
        response = sign_up(
            client, django_capture_on_commit_callbacks, authority,
            email="CLAIRE.martin@asso.example", password1="Autre-mot-de-passe-99",
            password2="Autre-mot-de-passe-99",
        )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("signup_sent")
    assert len(mail.outbox) == 2
    user = User.objects.get()
    # Whoever types an email never changes the password of the account that owns it.
    assert user.check_password(PASSWORD)


def test_the_link_is_sent_again_at_most_once_a_minute(client, django_capture_on_commit_callbacks):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        sign_up(client, django_capture_on_commit_callbacks, AuthorityFactory())
    resend = reverse("signup_resend")
    email = {"email": "claire.martin@asso.example"}
    later = start + datetime.timedelta(seconds=30)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, email, follow=True)
    assert "attendez un peu" in response.text
    assert len(mail.outbox) == 1
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, email, follow=True)
    assert len(mail.outbox) == 2
    assert "un nouveau lien vient d’y être envoyé" in response.text.replace("&#x27;", "’")


def test_resending_says_the_same_whatever_the_email(client, django_capture_on_commit_callbacks):
    ManagerFactory(email="active@asso.example")
    answers = set()
    for email in ("active@asso.example", "inconnu@asso.example"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("signup_resend"), {"email": email}, follow=True)
        messages = response.context["messages"]
        answers.add(tuple(m.message.replace(email, "<adresse>") for m in messages))
    assert len(answers) == 1 and answers.pop()
    assert mail.outbox == []


def test_passwords_are_checked_by_the_validators(client, django_capture_on_commit_callbacks):
    authority = AuthorityFactory()
    response = sign_up(
        client, django_capture_on_commit_callbacks, authority, password1="1234", password2="1234"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    response = sign_up(
        client, django_capture_on_commit_callbacks, authority, password2="Pas-le-meme-mot-42"
    )
    assert "ne sont pas identiques" in response.text
    assert not User.objects.exists()


def test_unknown_authority_answers_404_and_signed_in_users_go_home(client):
    assert client.get(reverse("signup", args=["123456789"])).status_code == 404
    authority = AuthorityFactory()
    client.force_login(ManagerFactory())
    response = client.get(reverse("signup", args=[authority.siren]))
    assert response.status_code == 302 and response.url == reverse("home")
