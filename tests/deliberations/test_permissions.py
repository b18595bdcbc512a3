"""Every page: who gets it, who gets 403, who gets 404."""

import pytest
from django.urls import reverse

from grants.models import Role
from tests.deliberations.factories import DeliberationFactory, adopted_deliberation, make_session
from tests.factories import AssociationFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fake_render):
    session = make_session(in_office=6, present=4, proxies=1)
    authority = session.body.authority
    deliberation = adopted_deliberation(session, number="2024.00010")
    draft = DeliberationFactory(authority=authority, number="2024.00011")
    member = session.body.members.first()
    return {
        "authority": authority,
        "session": session,
        "body": session.body,
        "deliberation": deliberation,
        "draft": draft,
        "member": member,
    }


def urls(world):
    d, s, b, m = world["deliberation"], world["session"], world["body"], world["member"]
    reads = [
        reverse("deliberation_list"),
        reverse("deliberation_detail", args=[d.pk]),
        reverse("deliberation_extract", args=[d.pk]),
        reverse("session_list"),
        reverse("session_detail", args=[s.pk]),
        reverse("body_list"),
        reverse("body_detail", args=[b.pk]),
    ]
    object_writes = [
        reverse("deliberation_edit", args=[d.pk]),
        reverse("deliberation_transmission", args=[d.pk]),
        reverse("deliberation_delete", args=[world["draft"].pk]),
        reverse("session_edit", args=[s.pk]),
        reverse("session_attendance", args=[s.pk]),
        reverse("body_edit", args=[b.pk]),
        reverse("member_create", args=[b.pk]),
        reverse("member_bulk_create", args=[b.pk]),
        reverse("member_edit", args=[m.pk]),
    ]
    creates = [
        reverse("deliberation_create"),
        reverse("session_create"),
        reverse("body_create"),
    ]
    return reads, object_writes, creates


def statuses(client, paths):
    # follow: the extract, not generated yet, answers with the page of its background job.
    return {path: client.get(path, follow=True).status_code for path in paths}


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    reads, writes, creates = urls(world)
    for path in reads + writes + creates:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), path


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
def test_instructors_and_admins_of_the_authority_reach_every_page(client, world, role):
    client.force_login(UserFactory(role=role, authority=world["authority"]))
    reads, writes, creates = urls(world)
    assert set(statuses(client, reads + writes + creates).values()) == {200}


def test_platform_admin_reaches_every_page(client, world):
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    reads, writes, creates = urls(world)
    assert set(statuses(client, reads + writes + creates).values()) == {200}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_read_but_get_403_on_writes(client, world, role):
    client.force_login(UserFactory(role=role, authority=world["authority"]))
    reads, writes, creates = urls(world)
    assert set(statuses(client, reads).values()) == {200}
    assert set(statuses(client, writes + creates).values()) == {403}
    regenerate = reverse("deliberation_extract_regenerate", args=[world["deliberation"].pk])
    assert client.post(regenerate).status_code == 403


def test_another_authoritys_staff_get_404_on_every_record(client, world):
    reads, writes, _ = urls(world)
    client.force_login(UserFactory(role=Role.VIEWER))
    assert set(statuses(client, reads[1:3] + reads[4:5] + reads[6:]).values()) == {404}
    client.force_login(UserFactory(role=Role.INSTRUCTOR))
    assert set(statuses(client, writes).values()) == {404}
    regenerate = reverse("deliberation_extract_regenerate", args=[world["deliberation"].pk])
    assert client.post(regenerate).status_code == 404


def test_another_authoritys_staff_see_empty_lists(client, world):
    client.force_login(UserFactory(role=Role.INSTRUCTOR))
    assert client.get(reverse("deliberation_list")).context["page"].paginator.count == 0
    assert client.get(reverse("session_list")).context["page"].paginator.count == 0


def test_association_managers_get_403_everywhere_even_for_their_own_grants(client, world):
    association = AssociationFactory(authority=world["authority"])
    world["deliberation"].grants.create(
        authority=world["authority"], association=association, year=2024, amount=1000, object="x"
    )
    client.force_login(ManagerFactory(associations=[association]))
    reads, writes, creates = urls(world)
    assert set(statuses(client, reads + writes + creates).values()) == {403}


def test_the_menu_shows_deliberations_to_staff_only(client, world):
    client.force_login(UserFactory(role=Role.VIEWER, authority=world["authority"]))
    assert 'href="/deliberations/"' in client.get(reverse("home")).text
    client.force_login(ManagerFactory())
    assert 'href="/deliberations/"' not in client.get(reverse("home")).text


def test_write_buttons_are_hidden_from_read_only_roles(client, world):
    client.force_login(UserFactory(role=Role.VIEWER, authority=world["authority"]))
    page = client.get(reverse("deliberation_detail", args=[world["deliberation"].pk])).text
    assert "Télécharger l'extrait (PDF)" in page
    assert "Modifier" not in page and "Régénérer" not in page


def test_the_detail_shows_problems_first_and_collapses_the_passed_checks(client, world):
    client.force_login(UserFactory(role=Role.VIEWER, authority=world["authority"]))
    page = client.get(reverse("deliberation_detail", args=[world["deliberation"].pk])).text
    checks = page[page.index('id="checks-title"') :]
    assert '<details class="checks-passed">' in checks
    assert "contrôles conformes</span>" in checks
    # Not transmitted nor published yet: that problem comes before the collapsed line.
    first_problem = min(
        i for i in (checks.find("check-warning"), checks.find("check-error")) if i != -1
    )
    assert first_problem < checks.index("<details")
