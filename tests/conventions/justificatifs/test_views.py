"""Justificatif pages and files: 404 across authorities and associations, 403 for roles that see
but may not act, the review queue (filters, fixed query count), the review form and downloads."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from conventions.justificatifs import services
from conventions.models import Justificatif
from grants.models import Role
from tests.conventions.factories import ConventionFactory, JustificatifFactory, signed
from tests.conventions.justificatifs.factories import (
    docx_bytes,
    manager_of,
    pdf_upload,
    signed_convention,
    staff_of,
    upload,
)
from tests.factories import AssociationFactory, ManagerFactory, UserFactory

Kind = Justificatif.Kind
Status = Justificatif.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention():
    return signed_convention()


@pytest.fixture
def manager(convention):
    return manager_of(convention)


@pytest.fixture
def justificatif(convention, manager):
    return services.justificatif_upload(
        user=manager, convention=convention, kind=Kind.COMPTES_ANNUELS, upload=pdf_upload()
    )


def page_urls(convention, justificatif):
    return [
        reverse("justificatif_list", args=[convention.pk]),
        reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS]),
        reverse("justificatif_download", args=[convention.pk, justificatif.pk]),
        reverse("justificatif_review", args=[justificatif.pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, convention, justificatif):
    for url in [*page_urls(convention, justificatif), reverse("justificatif_queue")]:
        response = client.get(url)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_another_authority_and_another_association_get_404_on_every_page_and_file(
    client, convention, justificatif
):
    others = [
        UserFactory(role=Role.INSTRUCTOR),  # another authority's instructor
        UserFactory(role=Role.FINANCE),
        UserFactory(role=Role.VIEWER),
        ManagerFactory(associations=[AssociationFactory(authority=convention.authority)]),
    ]
    for user in others:
        client.force_login(user)
        for url in page_urls(convention, justificatif):
            assert client.get(url).status_code == 404, (user.role, url)
        response = client.post(
            reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS]),
            {"file": pdf_upload()},
        )
        assert response.status_code == 404
        response = client.post(
            reverse("justificatif_review", args=[justificatif.pk]), {"decision": "accepter"}
        )
        assert response.status_code == 404
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED
    assert Justificatif.objects.count() == 1


def test_another_authority_s_queue_does_not_list_the_piece(client, justificatif):
    client.force_login(UserFactory(role=Role.INSTRUCTOR))
    response = client.get(reverse("justificatif_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_a_draft_convention_s_pieces_are_hidden_from_its_managers(client, manager):
    draft = ConventionFactory(association=manager.managed_associations.get())
    client.force_login(manager)
    assert client.get(reverse("justificatif_list", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_finance_and_consultation_see_but_may_not_review_or_upload(
    client, convention, justificatif, role
):
    client.force_login(staff_of(convention, role=role))
    assert client.get(reverse("justificatif_list", args=[convention.pk])).status_code == 200
    download = reverse("justificatif_download", args=[convention.pk, justificatif.pk])
    assert client.get(download).status_code == 200
    queue = client.get(reverse("justificatif_queue"))
    assert queue.status_code == 200 and "Examiner" not in queue.content.decode()
    review = reverse("justificatif_review", args=[justificatif.pk])
    assert client.get(review).status_code == 403
    assert client.post(review, {"decision": "accepter"}).status_code == 403
    upload_url = reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS])
    assert client.get(upload_url).status_code == 403
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED


def test_managers_may_not_review_nor_open_the_queue(client, convention, manager, justificatif):
    client.force_login(manager)
    assert client.get(reverse("justificatif_queue")).status_code == 403
    review = reverse("justificatif_review", args=[justificatif.pk])
    assert client.get(review).status_code == 403
    assert client.post(review, {"decision": "accepter"}).status_code == 403


def test_instructors_review_but_do_not_upload(client, convention, justificatif):
    client.force_login(staff_of(convention))
    upload_url = reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS])
    assert client.get(upload_url).status_code == 403
    assert client.post(upload_url, {"file": pdf_upload()}).status_code == 403
    assert client.get(reverse("justificatif_review", args=[justificatif.pk])).status_code == 200


def test_an_unknown_kind_is_404(client, convention, manager):
    client.force_login(manager)
    url = reverse("justificatif_upload", args=[convention.pk, "bulletin-de-salaire"])
    assert client.get(url).status_code == 404


def test_files_have_no_public_address(client, justificatif, manager):
    client.force_login(manager)
    assert client.get(f"/fichiers/{justificatif.file.name}").status_code == 404
    assert client.get(f"/media/{justificatif.file.name}").status_code == 404


# ---- the manager's page ----------------------------------------------------------------------


def test_the_manager_uploads_from_the_list_and_sees_the_rejection_reason(client, convention):
    manager = manager_of(convention)
    client.force_login(manager)
    page = client.get(reverse("justificatif_list", args=[convention.pk])).content.decode()
    assert "À remettre avant le 30/06/2024" in page
    assert page.count("Manquant") == 3
    upload_url = reverse("justificatif_upload", args=[convention.pk, Kind.RAPPORT_ACTIVITE])
    assert upload_url in page
    response = client.post(upload_url, {"file": upload("rapport.docx", docx_bytes())})
    assert response.status_code == 302
    piece = Justificatif.objects.get()
    services.justificatif_reject(
        user=staff_of(convention), justificatif=piece, reason="Il manque les chiffres 2023."
    )
    page = client.get(reverse("justificatif_list", args=[convention.pk])).content.decode()
    assert "Motif du refus :</strong> Il manque les chiffres 2023." in page
    assert "Déposer une version corrigée" in page


@time_machine.travel(datetime.datetime(2024, 7, 3, 10, tzinfo=datetime.UTC))
def test_the_list_marks_an_overdue_due_date(client, convention, manager):
    client.force_login(manager)
    page = client.get(reverse("justificatif_list", args=[convention.pk])).content.decode()
    assert "L'échéance est dépassée de 3 jours." in page


# ---- downloads -------------------------------------------------------------------------------


def test_a_pdf_downloads_as_an_attachment_under_its_cleaned_original_name(
    client, convention, manager
):
    """Uploaded files are never rendered by the browser: always an attachment, nosniff."""
    piece = services.justificatif_upload(
        user=manager,
        convention=convention,
        kind=Kind.COMPTES_ANNUELS,
        upload=pdf_upload("Comptes 2023 signés.pdf"),
    )
    client.force_login(staff_of(convention))
    response = client.get(reverse("justificatif_download", args=[convention.pk, piece.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Comptes%202023%20sign%C3%A9s.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_office_file_downloads_as_an_attachment(client, convention, manager):
    piece = services.justificatif_upload(
        user=manager,
        convention=convention,
        kind=Kind.RAPPORT_ACTIVITE,
        upload=upload("rapport.docx", docx_bytes(), "application/octet-stream"),
    )
    client.force_login(manager)
    response = client.get(reverse("justificatif_download", args=[convention.pk, piece.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="rapport.docx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_piece_of_another_convention_is_404_even_with_a_visible_convention(
    client, convention, manager
):
    other = signed_convention(association=convention.association)
    piece = JustificatifFactory(convention=other)
    client.force_login(manager)
    url = reverse("justificatif_download", args=[convention.pk, piece.pk])
    assert client.get(url).status_code == 404


# ---- the review queue and form ---------------------------------------------------------------


def make_pieces(authority, count):
    pieces = []
    for _ in range(count):
        convention = signed(ConventionFactory(association__authority=authority, year=2023))
        pieces.append(JustificatifFactory(convention=convention))
    return pieces


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_runs_a_fixed_number_of_queries(client, rows, django_assert_num_queries):
    instructor = UserFactory(role=Role.INSTRUCTOR)
    make_pieces(instructor.authority, rows)
    client.force_login(instructor)
    with django_assert_num_queries(4):  # session, user, count, page rows, header authority
        response = client.get(reverse("justificatif_queue"))
    assert response.context["page"].paginator.count == rows


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, tzinfo=datetime.UTC))


def test_the_queue_lists_pieces_to_review_first_and_filters(client, convention, manager):
    instructor = staff_of(convention)
    with at(2024, 5, 2):
        comptes = services.justificatif_upload(
            user=manager, convention=convention, kind=Kind.COMPTES_ANNUELS, upload=pdf_upload()
        )
        rapport = services.justificatif_upload(
            user=manager,
            convention=convention,
            kind=Kind.RAPPORT_ACTIVITE,
            upload=pdf_upload(pages=2),
        )
        services.justificatif_accept(user=instructor, justificatif=comptes)
    client.force_login(instructor)
    url = reverse("justificatif_queue")
    assert list(client.get(url).context["page"]) == [rapport]
    assert set(client.get(url, {"status": ""}).context["page"]) == {comptes, rapport}
    assert list(client.get(url, {"status": "accepte"}).context["page"]) == [comptes]
    by_kind = client.get(url, {"kind": Kind.COMPTES_ANNUELS, "status": ""})
    assert list(by_kind.context["page"]) == [comptes]
    name = convention.association.name
    assert len(client.get(url, {"association": name[-4:]}).context["page"]) == 1
    assert len(client.get(url, {"association": "inconnue"}).context["page"]) == 0
    with at(2024, 6, 1):
        on_time = client.get(url, {"overdue": "dans_les_temps", "status": ""})
        assert set(on_time.context["page"]) == {comptes, rapport}
    with at(2024, 7, 1):
        late = client.get(url, {"overdue": "retard", "status": ""})
        assert list(late.context["page"]) == [rapport]  # due 30/06/2024, still not accepted
        assert "En retard" in late.content.decode()
        on_time = client.get(url, {"overdue": "dans_les_temps", "status": ""})
        assert list(on_time.context["page"]) == [comptes]


def test_the_queue_has_an_empty_state(client):
    client.force_login(UserFactory(role=Role.INSTRUCTOR))
    page = client.get(reverse("justificatif_queue")).content.decode()
    assert "Aucun justificatif n'attend d'examen." in page


def test_the_review_form_accepts_or_rejects_with_a_reason(client, convention, justificatif):
    client.force_login(staff_of(convention))
    url = reverse("justificatif_review", args=[justificatif.pk])
    response = client.post(url, {"decision": "refuser", "reason": ""})
    assert response.status_code == 200
    assert "Indiquez le motif du refus" in response.content.decode()
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED

    response = client.post(url, {"decision": "refuser", "reason": "Le bilan n'est pas signé."})
    assert response.status_code == 302 and response["Location"] == reverse("justificatif_queue")
    justificatif.refresh_from_db()
    assert justificatif.status == Status.REJECTED
    assert justificatif.rejection_reason == "Le bilan n'est pas signé."

    page = client.get(url).content.decode()
    assert "Cette pièce a déjà été examinée." in page
    response = client.post(url, {"decision": "accepter"})
    assert "déjà « Refusé »" in response.content.decode()


def test_the_convention_page_links_to_the_justificatifs(client, convention, justificatif):
    client.force_login(staff_of(convention))
    page = client.get(reverse("convention_detail", args=[convention.pk])).content.decode()
    assert reverse("justificatif_list", args=[convention.pk]) in page
    assert reverse("justificatif_download", args=[convention.pk, justificatif.pk]) in page


def test_the_django_admin_only_reads_justificatifs_and_notifications(client, justificatif):
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    for name in ["justificatif", "notification", "remindersent"]:
        assert client.get(reverse(f"admin:conventions_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:conventions_{name}_add")).status_code == 403
    change = reverse("admin:conventions_justificatif_change", args=[justificatif.pk])
    response = client.post(change, {"status": "accepte"})
    assert response.status_code == 403
    justificatif.refresh_from_db()
    assert justificatif.status == Status.SUBMITTED
    convention_page = reverse(
        "admin:conventions_convention_change", args=[justificatif.convention_id]
    )
    assert client.get(convention_page).status_code == 200
