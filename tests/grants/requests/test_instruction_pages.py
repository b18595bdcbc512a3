"""The request's page for both sides and staff's actions on it: who sees what (internal notes,
the staff panel), who may act (403 for read-only roles, 404 across associations and
authorities), the confirmation of a move, the checklist, the thresholds before the vote."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from associations.documents.models import AssociationDocument
from grants.models import Role
from grants.requests.models import RequestEvent, RequestPieceCheck, RequestVersion, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import request_message
from tests.factories import AssociationFactory, ManagerFactory, UserFactory
from tests.grants.requests.factories import CampaignFactory, SubsidyRequestFactory, deposited

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    campaign = CampaignFactory(scheme__required_pieces=["statuts", "rib", "comptes"])
    authority = campaign.authority
    subsidy_request = deposited(
        SubsidyRequestFactory(campaign=campaign, reference="DEM-2027-0001", title="Jardins")
    )
    manager = subsidy_request.created_by
    instructor = UserFactory(role=Role.INSTRUCTOR, authority=authority, first_name="Inès")
    request_message(
        user=instructor, subsidy_request=subsidy_request, text="Note SECRETE", internal=True
    )
    request_message(user=instructor, subsidy_request=subsidy_request, text="Message PUBLIC")
    other_association = AssociationFactory(authority=authority)
    return {
        "campaign": campaign,
        "request": subsidy_request,
        "manager": manager,
        "instructor": instructor,
        "finance": UserFactory(role=Role.FINANCE, authority=authority),
        "viewer": UserFactory(role=Role.VIEWER, authority=authority),
        "other_instructor": UserFactory(role=Role.INSTRUCTOR),
        "other_manager": ManagerFactory(associations=[other_association]),
    }


def page(client, user, subsidy_request):
    client.force_login(user)
    return client.get(reverse("request_detail", args=[subsidy_request.pk]))


def test_the_manager_sees_the_status_and_messages_but_no_internal_note(client, world):
    response = page(client, world["manager"], world["request"])
    content = response.content.decode()
    assert response.status_code == 200
    assert "Déposée" in content and "Message PUBLIC" in content
    assert "Note SECRETE" not in content
    assert "Avant le vote" not in content  # staff's panel
    assert 'name="internal"' not in content


def test_staff_see_internal_notes_the_panel_and_the_moves(client, world):
    content = page(client, world["instructor"], world["request"]).content.decode()
    assert "Note SECRETE" in content and "Message PUBLIC" in content
    assert "Prendre en instruction" in content and "Demander des compléments" in content
    assert "Avant le vote" in content


@pytest.mark.parametrize("who", ["other_instructor", "other_manager"])
def test_another_authority_or_association_gets_404(client, world, who):
    assert page(client, world[who], world["request"]).status_code == 404
    response = client.post(
        reverse("request_move", args=[world["request"].pk, Status.IN_REVIEW]), {"text": "x"}
    )
    assert response.status_code == 404


def test_a_manager_never_sees_a_draft_of_another_association(client, world):
    draft = SubsidyRequestFactory(campaign=world["campaign"])
    assert page(client, world["manager"], draft).status_code == 404
    # Staff do not see drafts either: they are the association's own.
    assert page(client, world["instructor"], draft).status_code == 404


@pytest.mark.parametrize("who", ["finance", "viewer"])
def test_read_only_roles_read_but_cannot_act(client, world, who):
    subsidy_request = world["request"]
    response = page(client, world[who], subsidy_request)
    assert response.status_code == 200
    assert "Note SECRETE" in response.content.decode()
    assert "Prendre en instruction" not in response.content.decode()
    for url, data in [
        (reverse("request_move", args=[subsidy_request.pk, Status.IN_REVIEW]), {}),
        (reverse("request_assign", args=[subsidy_request.pk]), {}),
        (reverse("request_piece_check", args=[subsidy_request.pk, "rib"]), {"verdict": "conforme"}),
        (reverse("request_message", args=[subsidy_request.pk]), {"text": "Bonjour"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    subsidy_request.refresh_from_db()
    assert subsidy_request.status == Status.SUBMITTED
    assert not RequestPieceCheck.objects.exists()


def test_a_move_is_confirmed_with_its_reason_then_done(
    client, world, django_capture_on_commit_callbacks
):
    subsidy_request = world["request"]
    client.force_login(world["instructor"])
    url = reverse("request_move", args=[subsidy_request.pk, Status.TO_COMPLETE])
    confirm = client.get(url)
    assert "doit corriger ou compléter" in confirm.content.decode()
    missing = client.post(url, {"text": ""})
    assert missing.status_code == 400
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).status == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"text": "Le RIB est illisible."})
    assert done.status_code == 302
    assert SubsidyRequest.objects.get(pk=subsidy_request.pk).status == Status.TO_COMPLETE
    assert any("Le RIB est illisible." in m.body for m in mail.outbox)
    # The association reads the reason on its page.
    assert (
        "Le RIB est illisible." in page(client, world["manager"], subsidy_request).content.decode()
    )


def test_instructing_through_the_page_keeps_what_was_typed_on_error(client, world):
    subsidy_request = deposited(world["request"], status=Status.IN_REVIEW)
    client.force_login(world["instructor"])
    url = reverse("request_move", args=[subsidy_request.pk, Status.INSTRUCTED])
    response = client.post(
        url, {"opinion": "", "proposed_amount": "12 500,50", "opinion_text": "Solide"}
    )
    assert response.status_code == 400
    assert "12 500,50" in response.content.decode() and "Solide" in response.content.decode()
    response = client.post(url, {"opinion": "favorable", "proposed_amount": "12 500,50"})
    assert response.status_code == 302
    subsidy_request.refresh_from_db()
    assert (subsidy_request.status, subsidy_request.proposed_amount) == (
        Status.INSTRUCTED,
        Decimal("12500.50"),
    )


def test_a_move_not_allowed_from_the_status_is_explained_not_done(client, world):
    client.force_login(world["instructor"])
    url = reverse("request_move", args=[world["request"].pk, Status.VOTED])
    response = client.post(url, {"text": "x"})
    assert "ne peut pas passer au statut « votée »" in response.content.decode()
    assert SubsidyRequest.objects.get(pk=world["request"].pk).status == Status.SUBMITTED


def test_the_checklist_shows_the_documents_and_records_the_verdict(client, world):
    subsidy_request = world["request"]
    campaign = subsidy_request.campaign
    AssociationDocument.objects.create(
        association=subsidy_request.association,
        kind="comptes",
        year=campaign.year - 5,  # too old for this campaign
        file=SimpleUploadedFile("c.pdf", b"%PDF-1.4"),
        original_name="c.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        uploaded_at=timezone.now(),
        uploaded_by=world["manager"],
    )
    content = page(client, world["instructor"], subsidy_request).content.decode()
    assert "Derniers comptes annuels approuvés" in content
    assert f"plus valable au {campaign.closes_on:%d/%m/%Y}" in content
    assert "absent" in content  # statutes and RIB
    response = client.post(
        reverse("request_piece_check", args=[subsidy_request.pk, "comptes"]),
        {"verdict": "non_conforme", "comment": "Comptes de plus de deux ans"},
    )
    assert response.status_code == 302
    check = RequestPieceCheck.objects.get(request=subsidy_request, kind="comptes")
    assert check.verdict == "non_conforme" and check.document.kind == "comptes"
    # A piece the scheme does not require has no checklist line.
    response = client.post(
        reverse("request_piece_check", args=[subsidy_request.pk, "bureau"]), {"verdict": "conforme"}
    )
    assert response.status_code == 404


def test_staff_write_internal_notes_managers_cannot(client, world):
    subsidy_request = world["request"]
    client.force_login(world["instructor"])
    client.post(
        reverse("request_message", args=[subsidy_request.pk]), {"text": "Vu", "internal": "on"}
    )
    assert subsidy_request.events.filter(kind=RequestEvent.Kind.NOTE, text="Vu").exists()
    client.force_login(world["manager"])
    response = client.post(
        reverse("request_message", args=[subsidy_request.pk]),
        {"text": "Forcé", "internal": "on"},
    )
    assert response.status_code == 403
    client.post(reverse("request_message", args=[subsidy_request.pk]), {"text": "Merci"})
    assert subsidy_request.events.filter(kind=RequestEvent.Kind.MESSAGE, text="Merci").exists()


def test_assigning_from_the_page(client, world):
    agent = UserFactory(role=Role.INSTRUCTOR, authority=world["request"].authority)
    client.force_login(world["instructor"])
    client.post(reverse("request_assign", args=[world["request"].pk]), {"agent": agent.pk})
    assert SubsidyRequest.objects.get(pk=world["request"].pk).assigned_to == agent
    foreign = world["other_instructor"]
    client.post(reverse("request_assign", args=[world["request"].pk]), {"agent": foreign.pk})
    assert SubsidyRequest.objects.get(pk=world["request"].pk).assigned_to == agent


def test_each_version_is_viewable_by_its_managers(client, world):
    subsidy_request = world["request"]
    RequestVersion.objects.create(
        request=subsidy_request,
        number=1,
        submitted_at=timezone.now(),
        submitted_by=world["manager"],
        data={"title": "Jardins v1", "amount_requested": "15000.00", "objectives": "Cultiver"},
    )
    client.force_login(world["manager"])
    content = client.get(reverse("request_version", args=[subsidy_request.pk, 1])).content.decode()
    assert "Jardins v1" in content and "Cultiver" in content and "Montant demandé" in content
    client.force_login(world["other_manager"])
    assert client.get(reverse("request_version", args=[subsidy_request.pk, 1])).status_code == 404


# ---- before the vote: the renewal check and the thresholds ---------------------------------------


@pytest.mark.parametrize(
    ("amount", "convention"), [(Decimal("23000.00"), False), (Decimal("23000.01"), True)]
)
def test_the_convention_threshold_is_shown_for_the_proposed_amount(
    client, world, amount, convention
):
    subsidy_request = deposited(world["request"], status=Status.INSTRUCTED, proposed_amount=amount)
    content = page(client, world["instructor"], subsidy_request).content.decode()
    section = content.split("Avant le vote", 1)[1].split("</section>", 1)[0]
    assert ("Obligatoire</span> — plus de 23\xa0000" in section) is convention


def test_the_renewal_check_warns_of_a_previous_convention_lacking_justificatifs(client, world):
    from conventions.models import Convention
    from tests.factories import GrantFactory
    from tests.grants.finance.factories import ConventionFactory

    association = world["request"].association
    grant = GrantFactory(association=association, year=world["campaign"].year - 2)
    ConventionFactory(
        association=association,
        grants=[grant],
        year=world["campaign"].year - 2,
        status=Convention.Status.IN_EXECUTION,
        association_signed_at=datetime.date(2024, 7, 1),
        authority_signed_at=datetime.date(2024, 7, 1),
    )
    content = page(client, world["instructor"], world["request"]).content.decode()
    assert "Renouvellement (art. 5.4)" in content


def test_a_staff_message_is_mailed_to_the_managers_a_note_is_not(
    client, world, django_capture_on_commit_callbacks
):
    subsidy_request = world["request"]
    client.force_login(world["instructor"])
    url = reverse("request_message", args=[subsidy_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"text": "Pouvez-vous préciser le budget ?"})
        client.post(url, {"text": "Dossier fragile", "internal": "on"})
    bodies = [m.body for m in mail.outbox if world["manager"].email in m.to]
    assert len(bodies) == 1 and "Pouvez-vous préciser le budget ?" in bodies[0]
