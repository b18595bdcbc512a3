"""A manager attaches their association by its SIREN or RNA: a request staff of the authority
accept or refuse (with a reason), or, when the authority does not know it, the association
created at once."""

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from associations.models import Association
from conventions.notifications.models import Notification
from grants.models import AssociationAccessRequest, Role
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory
from tests.grants.accounts.factories import AccessRequestFactory, AccountSignupFactory

pytestmark = pytest.mark.django_db

SCS_SIREN = "494233885"
Status = AssociationAccessRequest.Status


@pytest.fixture
def amp():
    return AuthorityFactory(name="Métropole Aix-Marseille-Provence")


@pytest.fixture
def scs(amp):
    return AssociationFactory(
        authority=amp, name="Pôle SCS", siren=SCS_SIREN, siret="49423388500016", rna="W133012345"
    )


@pytest.fixture
def instructor(amp):
    return UserFactory(role=Role.INSTRUCTOR, authority=amp, email="instructeur@amp.example")


def attach(client, capture, authority, **data):
    with capture(execute=True):
        return client.post(reverse("association_attach", args=[authority.siren]), data)


def test_known_siren_makes_a_pending_request_staff_accept_and_the_person_sees_the_association(
    client, django_capture_on_commit_callbacks, amp, scs, instructor
):
    person = ManagerFactory(first_name="Claire", last_name="Martin", email="claire@asso.example")
    client.force_login(person)
    response = attach(client, django_capture_on_commit_callbacks, amp, siren="494 233 885")
    assert response.status_code == 302 and response.url == reverse("home")
    request = AssociationAccessRequest.objects.get()
    assert (request.user, request.association, request.siren, request.status) == (
        person, scs, SCS_SIREN, Status.PENDING,
    )  # fmt: skip
    # The instructors are told, on screen and by email (from the task).
    notice = Notification.objects.get(recipient=instructor)
    assert notice.kind == Notification.Kind.ACCESS_REQUESTED and "Pôle SCS" in notice.message
    assert mail.outbox[-1].to == ["instructeur@amp.example"]
    home = client.get(reverse("home"))
    assert "en attente de validation par Métropole Aix-Marseille-Provence" in home.text
    assert client.get(scs.get_absolute_url()).status_code == 404

    client.force_login(instructor)
    review = reverse("access_request_review", args=[request.pk])
    page = client.get(review)
    assert "claire@asso.example" in page.text and "SIREN 494233885" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review, {"action": "accept"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Status.ACCEPTED, instructor)
    assert request.decided_at is not None
    assert mail.outbox[-1].to == ["claire@asso.example"]
    assert "accepté" in mail.outbox[-1].subject

    client.force_login(person)
    detail = client.get(scs.get_absolute_url())
    assert detail.status_code == 200 and "Pôle SCS" in detail.text
    assert list(person.managed_associations.all()) == [scs]


def test_a_siret_starting_with_the_siren_or_the_rna_finds_the_association(
    client, django_capture_on_commit_callbacks, amp
):
    by_siret = AssociationFactory(authority=amp, siret="49423388500016")
    by_rna = AssociationFactory(authority=amp, rna="W133012345")
    client.force_login(ManagerFactory())
    attach(client, django_capture_on_commit_callbacks, amp, siren=SCS_SIREN)
    attach(client, django_capture_on_commit_callbacks, amp, rna="w133012345")
    assert {r.association for r in AssociationAccessRequest.objects.all()} == {by_siret, by_rna}


def test_refusal_needs_a_reason_which_the_person_reads(
    client, django_capture_on_commit_callbacks, scs, instructor
):
    request = AccessRequestFactory(association=scs, user__email="claire@asso.example")
    client.force_login(instructor)
    review = reverse("access_request_review", args=[request.pk])
    response = client.post(review, {"action": "refuse", "reason": "  "})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.text
    request.refresh_from_db()
    assert request.status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {"action": "refuse", "reason": "Inconnue du président"})
    request.refresh_from_db()
    assert (request.status, request.refusal_reason) == (Status.REFUSED, "Inconnue du président")
    assert "Motif : Inconnue du président" in mail.outbox[-1].body
    assert not request.user.managed_associations.exists()
    client.force_login(request.user)
    assert "Motif : Inconnue du président" in client.get(reverse("home")).text
    # A decided request is not decided again.
    client.force_login(instructor)
    response = client.post(review, {"action": "accept"})
    assert "déjà été traitée" in response.text
    assert not request.user.managed_associations.exists()


def test_invalid_or_missing_identifiers_are_refused_in_french(
    client, django_capture_on_commit_callbacks, amp
):
    client.force_login(ManagerFactory())
    response = attach(client, django_capture_on_commit_callbacks, amp, siren="494233886")
    assert "clé de contrôle incorrecte" in response.text
    assert 'value="494233886"' in response.text
    response = attach(client, django_capture_on_commit_callbacks, amp, rna="123")
    assert "W suivi de 9 chiffres" in response.text
    response = attach(client, django_capture_on_commit_callbacks, amp, siren="", rna="")
    assert "au moins l&#x27;un des deux" in response.text
    assert not AssociationAccessRequest.objects.exists()


def test_one_pending_request_per_person_and_association(
    client, django_capture_on_commit_callbacks, amp, scs
):
    person = ManagerFactory()
    client.force_login(person)
    attach(client, django_capture_on_commit_callbacks, amp, siren=SCS_SIREN)
    response = attach(client, django_capture_on_commit_callbacks, amp, rna="W133012345")
    assert "déjà en attente de validation" in response.text
    assert AssociationAccessRequest.objects.count() == 1
    with pytest.raises(IntegrityError):
        AssociationAccessRequest.objects.create(
            user=person, authority=amp, association=scs, siren=SCS_SIREN
        )


def test_unknown_association_is_created_and_linked_at_once(
    client, django_capture_on_commit_callbacks, amp, instructor
):
    person = ManagerFactory(first_name="Nadia", last_name="Bensalem")
    client.force_login(person)
    response = attach(client, django_capture_on_commit_callbacks, amp, rna="W133099999")
    create_url = reverse("association_attach_create", args=[amp.siren])
    assert response.url == f"{create_url}?rna=W133099999"
    page = client.get(response.url)
    assert 'value="W133099999"' in page.text
    data = {
        "name": "Les Jardins partagés", "rna": "W133099999", "address": "12, rue du Refuge",
        "postal_code": "13002", "city": "Marseille", "email": "contact@jardins.example",
        "representative_name": "Nadia BENSALEM",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url, data)
    association = Association.objects.get(name="Les Jardins partagés")
    assert response.url == association.get_absolute_url()
    assert association.authority == amp
    assert list(person.managed_associations.all()) == [association]
    notice = Notification.objects.get(recipient=instructor)
    assert notice.kind == Notification.Kind.ASSOCIATION_CREATED
    assert "Nouvelle association créée par Nadia Bensalem" in notice.message
    assert client.get(association.get_absolute_url()).status_code == 200


def test_creating_an_association_the_authority_knows_is_refused(
    client, django_capture_on_commit_callbacks, amp, scs
):
    client.force_login(ManagerFactory())
    url = reverse("association_attach_create", args=[amp.siren])
    data = {
        "name": "Doublon", "siret": "49423388500016", "address": "x", "postal_code": "13000",
        "city": "Marseille", "email": "a@b.example", "representative_name": "X",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and "demandez-y l&#x27;accès" in response.text
    assert 'value="Doublon"' in response.text
    assert not Association.objects.filter(name="Doublon").exists()


def test_staff_of_another_authority_cannot_see_or_decide(client, scs):
    request = AccessRequestFactory(association=scs, user__last_name="Demandeur")
    other = UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory())
    client.force_login(other)
    assert "Demandeur" not in client.get(reverse("access_request_list")).text
    review = reverse("access_request_review", args=[request.pk])
    assert client.get(review).status_code == 404
    assert client.post(review, {"action": "accept"}).status_code == 404
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_managers_and_read_only_staff_cannot_reach_the_staff_pages(client, amp, scs):
    request = AccessRequestFactory(association=scs)
    review = reverse("access_request_review", args=[request.pk])
    for user in (
        ManagerFactory(associations=[scs]),
        request.user,
        UserFactory(role=Role.VIEWER, authority=amp),
        UserFactory(role=Role.FINANCE, authority=amp),
    ):
        client.force_login(user)
        assert client.get(reverse("access_request_list")).status_code == 403
        assert client.post(review, {"action": "accept"}).status_code == 403
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert not request.user.managed_associations.exists()


def test_a_manager_never_sees_another_persons_request(client, scs):
    mine = AccessRequestFactory(association=scs)
    AccessRequestFactory(association=scs, user__last_name="Autre")
    client.force_login(mine.user)
    home = client.get(reverse("home"))
    assert [r.pk for r in home.context["pending_requests"]] == [mine.pk]
    manager = ManagerFactory(associations=[scs])
    assert list(AssociationAccessRequest.objects.visible_to(manager)) == []


def test_staff_attach_nothing(client, amp, scs, instructor):
    client.force_login(instructor)
    response = client.post(reverse("association_attach", args=[amp.siren]), {"siren": SCS_SIREN})
    assert response.status_code == 403
    assert not AssociationAccessRequest.objects.exists()


def test_the_staff_list_shows_the_requests_with_the_current_managers_in_fixed_queries(
    client, django_assert_max_num_queries, amp, instructor
):
    def add(count):
        for _ in range(count):
            association = AssociationFactory(authority=amp)
            ManagerFactory(associations=[association], last_name="Gérante")
            AccessRequestFactory(association=association, siren="", rna="W133012345")

    client.force_login(instructor)
    add(2)
    with django_assert_max_num_queries(9) as few:
        response = client.get(reverse("access_request_list"))
    assert response.context["page"].paginator.count == 2
    assert "Gérante" in response.text and "RNA W133012345" in response.text
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("access_request_list"))
    assert response.context["page"].paginator.count == 22


def test_the_staff_menu_counts_the_pending_requests_without_a_query_of_its_own(
    client, amp, scs, instructor
):
    AccessRequestFactory(association=scs)
    AccessRequestFactory(association=AssociationFactory())  # another authority's
    client.force_login(instructor)
    [link] = [
        link
        for link in client.get(reverse("home")).context["nav_links"]
        if link["url"] == reverse("access_request_list")
    ]
    assert link["badge"] == 1


def test_a_manager_without_association_sees_an_empty_state_with_the_attach_link(client, amp):
    signup = AccountSignupFactory(authority=amp, user__is_active=True)
    client.force_login(signup.user)
    home = client.get(reverse("home"))
    assert "aucune association" in home.text
    assert reverse("association_attach", args=[amp.siren]) in home.text
    assert "Vos conventions" not in home.text
