"""The authority administrator's staff accounts: list, open (with the password link), change
the role, deactivate and reactivate; never their own account, never another authority's."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from grants.models import Role, User
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, authority=AuthorityFactory(name="Métropole A"))


def test_the_admin_opens_an_account_that_sets_its_password_through_the_link(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    home = client.get(reverse("home")).content.decode()
    assert reverse("staff_list") in home  # the menu entry
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff_create"),
            {"username": "j.martin", "first_name": "Jeanne", "last_name": "MARTIN",
             "email": "J.Martin@metropole.fr", "role": Role.FINANCE},
        )  # fmt: skip
    assert response.status_code == 302
    account = User.objects.get(username="j.martin")
    assert (account.role, account.authority, account.email) == (
        Role.FINANCE, admin.authority, "j.martin@metropole.fr"
    )  # fmt: skip
    assert not account.has_usable_password()
    assert mail.outbox[0].to == ["j.martin@metropole.fr"]
    link = re.search(r"\S*/compte/invitation/\S+/", mail.outbox[0].body).group(0)
    client.logout()
    password = "Une-phrase-longue-42"
    response = client.post(
        link[link.index("/compte/") :], {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password(password)


def test_a_taken_username_or_email_is_refused_in_french(client, admin):
    UserFactory(username="pris", email="pris@metropole.fr")
    client.force_login(admin)
    response = client.post(
        reverse("staff_create"),
        {"username": "PRIS", "email": "pris@metropole.fr", "role": Role.VIEWER},
    )
    page = response.content.decode()
    assert "Cet identifiant est déjà pris." in page
    assert "Un compte existe déjà avec cette adresse." in page


def test_the_admin_changes_a_role_and_deactivates_then_reactivates(client, admin):
    agent = UserFactory(role=Role.INSTRUCTOR, authority=admin.authority)
    client.force_login(admin)
    page = client.get(reverse("staff_list")).content.decode()
    assert reverse("staff_edit", args=[agent.pk]) in page
    assert reverse("staff_edit", args=[admin.pk]) not in page  # "(vous)", no link
    url = reverse("staff_edit", args=[agent.pk])
    client.post(url, {"action": "role", "role": Role.VIEWER})
    agent.refresh_from_db()
    assert agent.role == Role.VIEWER
    client.post(url, {"action": "deactivate"})
    agent.refresh_from_db()
    assert not agent.is_active
    client.post(url, {"action": "reactivate"})
    agent.refresh_from_db()
    assert agent.is_active


def test_never_their_own_account(client, admin):
    client.force_login(admin)
    url = reverse("staff_edit", args=[admin.pk])
    client.post(url, {"action": "deactivate"})
    response = client.post(url, {"action": "role", "role": Role.VIEWER})
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.ADMIN
    assert "propre compte" in response.content.decode()


def test_never_another_authoritys_users_nor_managers(client, admin):
    foreign = UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory())
    manager = ManagerFactory()
    client.force_login(admin)
    for account in (foreign, manager):
        url = reverse("staff_edit", args=[account.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "deactivate"}).status_code == 404
        account.refresh_from_db()
        assert account.is_active
    assert str(foreign) not in client.get(reverse("staff_list")).content.decode()


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.FINANCE, Role.VIEWER])
def test_only_the_authority_admin_manages_staff(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("staff_list")).status_code == 403
    assert client.post(reverse("staff_create"), {}).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))  # platform: Django admin
    assert client.get(reverse("staff_list")).status_code == 403
    client.force_login(ManagerFactory())
    assert client.get(reverse("staff_list")).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(client, admin, django_assert_max_num_queries):
    for _ in range(6):
        UserFactory(role=Role.FINANCE, authority=admin.authority)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("staff_list"))
    assert response.content.decode().count("/agents/") >= 6
