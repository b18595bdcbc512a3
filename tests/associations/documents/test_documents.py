"""« Mes documents »: upload, replacement kept in the history, validity, hostile files refused,
downloads as attachments, and who sees what."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from associations.documents import services
from associations.documents.models import AssociationDocument, PieceKind
from tests.associations.bank.factories import BankDetailsFactory
from tests.associations.documents.factories import AssociationDocumentFactory
from tests.conventions.justificatifs.factories import (
    docx_bytes,
    exe_bytes,
    pdf_upload,
    png_bytes,
    upload,
)
from tests.factories import AssociationFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def association():
    return AssociationFactory()


@pytest.fixture
def manager(association):
    return ManagerFactory(associations=[association])


def text(response):
    return html.unescape(response.content.decode())


def test_an_upload_replaces_the_current_piece_which_stays_in_the_history(association, manager):
    first = services.document_upload(
        user=manager, association=association, kind="statuts", upload=pdf_upload("statuts.pdf")
    )
    second = services.document_upload(
        user=manager,
        association=association,
        kind="statuts",
        upload=pdf_upload("statuts-2026.pdf", text="modifiés"),
    )
    first.refresh_from_db()
    assert first.replaced_at is not None and second.replaced_at is None
    assert list(AssociationDocument.objects.current().filter(association=association)) == [second]
    assert second.sha256 != first.sha256 and second.file.name.endswith(".pdf")
    assert "statuts" not in second.file.name  # a generated name, never the user's


def test_the_same_file_twice_is_refused_and_an_image_is_accepted(association, manager):
    services.document_upload(
        user=manager, association=association, kind="rib", upload=pdf_upload("rib.pdf")
    )
    with pytest.raises(ValidationError, match="identique au document déposé le"):
        services.document_upload(
            user=manager, association=association, kind="rib", upload=pdf_upload("rib.pdf")
        )
    scan = services.document_upload(
        user=manager,
        association=association,
        kind="bureau",
        upload=upload("bureau.pdf", png_bytes(), "application/pdf"),
    )
    assert scan.content_type == "image/png" and scan.original_name == "bureau.png"


@pytest.mark.parametrize(
    "data, message",
    [
        (exe_bytes(), "n'est pas reconnu"),
        (docx_bytes(), "pour cette pièce, formats acceptés : PDF ou image PNG ou JPEG"),
        (b"", "Le fichier est vide."),
        (b"%PDF-1.4 pas vraiment un pdf", "illisible ou endommagé"),
    ],
)
def test_hostile_or_wrong_files_are_refused_in_french(association, manager, data, message):
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            user=manager, association=association, kind="statuts", upload=upload("a.pdf", data)
        )
    assert message in " ".join(error.value.messages)
    assert not AssociationDocument.objects.exists()


def test_a_pdf_with_javascript_is_refused(association, manager):
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError, match="JavaScript"):
        services.document_upload(
            user=manager,
            association=association,
            kind="statuts",
            upload=upload("statuts.pdf", buffer.getvalue()),
        )


def test_accounts_need_their_year_and_a_past_validity_date_is_refused(association, manager):
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            user=manager, association=association, kind="comptes", upload=pdf_upload()
        )
    assert "Indiquez l'exercice" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.document_upload(
            user=manager,
            association=association,
            kind="statuts",
            upload=pdf_upload(),
            valid_until=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "est déjà passée" in str(error.value)


def test_only_the_association_s_managers_upload(association):
    for user in (UserFactory(authority=association.authority), ManagerFactory()):
        with pytest.raises(PermissionDenied):
            services.document_upload(
                user=user, association=association, kind="statuts", upload=pdf_upload()
            )


def test_validity_states(association):
    today = timezone.localdate()
    AssociationDocumentFactory(association=association, kind="statuts")
    AssociationDocumentFactory(
        association=association, kind="bureau", valid_until=today + datetime.timedelta(days=30)
    )
    AssociationDocumentFactory(association=association, kind="comptes", year=today.year - 1)
    AssociationDocumentFactory(
        association=association, kind="rapport_activite", year=today.year - 5
    )
    rows = {row.kind: row for row in services.today_rows(association, today)}
    assert (rows["statuts"].state, rows["statuts"].text) == ("valid", "Valable")
    assert rows["bureau"].state == "expires"
    assert rows["bureau"].text == f"Valable jusqu'au {today + datetime.timedelta(days=30):%d/%m/%Y}"
    assert rows["comptes"].state == "valid" and f"exercice {today.year - 1}" in rows["comptes"].text
    assert rows["rapport_activite"].state == "expired"
    assert rows["rib"].state == "missing"
    BankDetailsFactory(association=association)
    rows = {row.kind: row for row in services.today_rows(association, today)}
    assert rows["rib"].satisfied and "coordonnées bancaires validées" in rows["rib"].text


# ---- pages -----------------------------------------------------------------------------------


def test_the_manager_uploads_from_the_association_page_and_downloads_as_attachment(
    client, association, manager
):
    client.force_login(manager)
    page = text(client.get(reverse("association_detail", args=[association.pk])))
    documents_url = reverse("association_documents", args=[association.pk])
    assert documents_url in page
    listing = text(client.get(documents_url))
    upload_url = reverse("association_document_upload", args=[association.pk, "statuts"])
    assert upload_url in listing and "Manquant" in listing
    response = client.post(upload_url, {"file": pdf_upload("Statuts signés.pdf")})
    assert response.url == documents_url
    document = AssociationDocument.objects.get()
    listing = text(client.get(documents_url))
    assert "Statuts signés.pdf" in listing and "Valable" in listing
    download = client.get(
        reverse("association_document_download", args=[association.pk, document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_upload_shows_its_error_on_the_page(client, association, manager):
    client.force_login(manager)
    url = reverse("association_document_upload", args=[association.pk, "comptes"])
    response = client.post(url, {"file": upload("comptes.pdf", exe_bytes()), "year": "2025"})
    assert response.status_code == 200
    assert "n'est pas reconnu" in text(response)
    assert not AssociationDocument.objects.exists()


def test_staff_of_the_authority_read_and_cannot_upload(client, association):
    document = AssociationDocumentFactory(association=association)
    client.force_login(UserFactory(authority=association.authority))
    listing = client.get(reverse("association_documents", args=[association.pk]))
    assert listing.status_code == 200 and "Déposer" not in text(listing).split("Historique")[0]
    url = reverse("association_document_download", args=[association.pk, document.pk])
    assert client.get(url).status_code == 200
    upload_url = reverse("association_document_upload", args=[association.pk, "statuts"])
    assert client.post(upload_url, {"file": pdf_upload()}).status_code == 403


def test_others_get_404_on_every_documents_url(client, association):
    document = AssociationDocumentFactory(association=association)
    urls = [
        reverse("association_documents", args=[association.pk]),
        reverse("association_document_upload", args=[association.pk, "statuts"]),
        reverse("association_document_download", args=[association.pk, document.pk]),
    ]
    for user in (ManagerFactory(associations=[AssociationFactory()]), UserFactory()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
    # One's own association with another association's document: 404 too.
    own = AssociationFactory(authority=association.authority)
    client.force_login(ManagerFactory(associations=[own]))
    mixed = reverse("association_document_download", args=[own.pk, document.pk])
    assert client.get(mixed).status_code == 404


@pytest.mark.parametrize("count", [1, 10])
def test_my_documents_runs_a_fixed_number_of_queries(
    client, association, manager, count, django_assert_max_num_queries
):
    for _ in range(count):
        AssociationDocumentFactory(
            association=association, kind=PieceKind.OTHER, uploaded_by=manager
        )
        AssociationDocumentFactory(
            association=association,
            kind="statuts",
            uploaded_by=manager,
            replaced_at=timezone.now(),
        )
    client.force_login(manager)
    # session, user, association, documents, current documents, bank details, managed (x2)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("association_documents", args=[association.pk]))
    assert len(response.context["history"]) == count
