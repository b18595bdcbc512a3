import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import TestCase
from django.urls import reverse

from grants.models import Role, User
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_account_without_authority_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=Role.INSTRUCTOR, authority=None)


def test_association_manager_cannot_belong_to_an_authority():
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=Role.MANAGER, authority=AuthorityFactory())


def test_only_platform_administrators_reach_the_django_admin(client):
    admin = UserFactory(role=Role.ADMIN, authority=None)
    instructor = UserFactory()
    assert admin.is_staff and admin.is_superuser
    assert not instructor.is_staff
    client.force_login(instructor)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_createsuperuser_makes_a_platform_administrator():
    user = User.objects.create_superuser("root", "root@example.org", "pw-123456789")
    assert user.role == Role.ADMIN and user.is_platform_admin


def test_login_page_is_in_french_and_logs_in(client):
    UserFactory(username="marie")
    response = client.get(reverse("login"))
    assert "Connexion" in response.text and 'lang="fr"' in response.text
    response = client.post(
        reverse("login"), {"username": "marie", "password": "secret-pass-123"}, follow=True
    )
    assert response.context["user"].username == "marie"
    assert "Bonjour" in response.text


def test_pages_require_login(client):
    response = client.get(reverse("association_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failed_logins_are_throttled(client):
    UserFactory(username="marie")
    for _ in range(5):
        client.post(reverse("login"), {"username": "marie", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "marie", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.text


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "Un-nouveau-mot-2024",
            "new_password2": "Un-nouveau-mot-2024",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Un-nouveau-mot-2024")


def test_password_reset_sends_a_french_email_with_a_working_link(client):
    user = UserFactory(email="marie@example.org")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task is enqueued after commit
        client.post(reverse("password_reset"), {"email": "marie@example.org"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Réinitialisation de votre mot de passe"
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert "Nouveau mot de passe" in response.text
    response = client.post(
        response.request["PATH_INFO"],
        {"new_password1": "Encore-un-autre-9", "new_password2": "Encore-un-autre-9"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Encore-un-autre-9")


def test_home_page_per_role(client):
    manager = ManagerFactory()
    client.force_login(manager)
    response = client.get(reverse("home"))
    assert "Votre compte n'est encore rattaché à aucune association" in response.text
    assert "Rattacher mon association" in response.text

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert "Aucune association n'est encore enregistrée" in response.text
    assert "Aucune subvention n'est encore enregistrée" in response.text


def test_navigation_marks_only_the_most_specific_section_as_current(client):
    client.force_login(UserFactory())
    links = client.get(reverse("budget_list")).context["nav_links"]
    assert [link["label"] for link in links if link["current"]] == ["Budgets"]
    links = client.get(reverse("association_list")).context["nav_links"]
    assert [link["label"] for link in links if link["current"]] == ["Associations"]


def test_managers_do_not_see_staff_sections(client):
    client.force_login(ManagerFactory())
    labels = [link["label"] for link in client.get(reverse("home")).context["nav_links"]]
    assert "Mon association" in labels
    assert "Délibérations" not in labels and "Administration" not in labels
