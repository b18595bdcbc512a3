"""Staff invite an association's manager by email: a link valid 7 days, used once."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from grants.models import Role, User
from tests.factories import AssociationFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, django_capture_on_commit_callbacks, association, email="claire@asso.example"):
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=association.authority))
    url = reverse("invite_manager", args=[association.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": email, "first_name": "Claire", "last_name": "M"})
    assert response.status_code == 302
    client.logout()
    return re.search(r"\S*/compte/invitation/\S+/", mail.outbox[-1].body).group(0)


def path_of(link):
    return link[link.index("/compte/") :]


def test_the_invited_manager_sets_a_password_and_lands_on_their_home(
    client, django_capture_on_commit_callbacks
):
    association = AssociationFactory(name="Pôle SCS")
    link = invite(client, django_capture_on_commit_callbacks, association)
    assert mail.outbox[-1].to == ["claire@asso.example"]
    assert "Pôle SCS" in mail.outbox[-1].subject
    invited = User.objects.get(email="claire@asso.example")
    assert invited.role == Role.MANAGER and not invited.has_usable_password()
    assert list(invited.managed_associations.all()) == [association]
    page = client.get(path_of(link))
    assert page.status_code == 200
    response = client.post(
        path_of(link),
        {
            "new_password1": "Un-mot-de-passe-solide-42",
            "new_password2": "Un-mot-de-passe-solide-42",
        },
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == invited
    invited.refresh_from_db()
    assert invited.check_password("Un-mot-de-passe-solide-42")


def test_the_link_works_once(client, django_capture_on_commit_callbacks):
    link = invite(client, django_capture_on_commit_callbacks, AssociationFactory())
    password = {
        "new_password1": "Un-mot-de-passe-solide-42",
        "new_password2": "Un-mot-de-passe-solide-42",
    }
    client.post(path_of(link), password)
    client.logout()
    again = client.get(path_of(link))
    assert again.status_code == 400 and "Lien invalide" in again.text


def test_the_link_expires_after_seven_days(client, django_capture_on_commit_callbacks):
    now = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        link = invite(client, django_capture_on_commit_callbacks, AssociationFactory())
    with time_machine.travel(now + datetime.timedelta(days=6, hours=23), tick=False):
        assert client.get(path_of(link)).status_code == 200
    with time_machine.travel(now + datetime.timedelta(days=7, hours=1), tick=False):
        assert client.get(path_of(link)).status_code == 400


def test_only_the_authority_s_instructors_invite(client):
    association = AssociationFactory()
    url = reverse("invite_manager", args=[association.pk])
    client.force_login(UserFactory(role=Role.INSTRUCTOR))  # another authority
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.FINANCE, authority=association.authority))
    assert client.get(url).status_code == 403
    client.force_login(ManagerFactory(associations=[association]))
    assert client.get(url).status_code == 403


def test_a_staff_address_cannot_become_a_manager(client, django_capture_on_commit_callbacks):
    association = AssociationFactory()
    UserFactory(role=Role.FINANCE, authority=association.authority, email="agent@metropole.fr")
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=association.authority))
    response = client.post(reverse("invite_manager", args=[association.pk]),
                           {"email": "agent@metropole.fr"})  # fmt: skip
    assert response.status_code == 200
    assert "adresse est celle d&#x27;un agent" in response.text
