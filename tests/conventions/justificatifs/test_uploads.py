"""Files are checked by content, not by name: hostile uploads are refused with a clear message,
nothing of them is stored, and accepted files are stored under a generated name."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.justificatifs import uploads
from conventions.justificatifs.due import KIND_FORMATS
from conventions.models import Justificatif
from tests.conventions.justificatifs.factories import (
    doc_bytes,
    docx_bytes,
    exe_bytes,
    jpeg_bytes,
    manager_of,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    signed_convention,
    upload,
    xlsx_bytes,
)

Kind = Justificatif.Kind
STORED_NAME = re.compile(r"^justificatifs/\d+/[0-9a-f]{32}\.(pdf|png|jpg|docx|xlsx|odt|doc)$")


def error_codes(excinfo):
    return {e.code for e in excinfo.value.error_list}


# ---- detection by content --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (pdf_bytes(), "pdf"),
        (png_bytes(), "png"),
        (jpeg_bytes(), "jpeg"),
        (docx_bytes(), "docx"),
        (xlsx_bytes(), "xlsx"),
        (odt_bytes(), "odt"),
        (doc_bytes(), "doc"),
    ],
)
def test_each_format_is_recognised_by_its_content_whatever_its_name(data, code):
    detected = uploads.detect_format(upload("sans-extension", data, "text/plain"))
    assert detected.code == code


@pytest.mark.parametrize(
    "data", [exe_bytes(), plain_zip_bytes(), b"Bonjour, ceci est un texte.", b"\x00" * 100]
)
def test_other_contents_are_not_recognised(data):
    assert uploads.detect_format(upload("comptes.pdf", data, "application/pdf")) is None


def test_an_executable_renamed_pdf_is_refused():
    hostile = upload("comptes-annuels.pdf", exe_bytes(), "application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(hostile, KIND_FORMATS[Kind.COMPTES_ANNUELS])
    assert error_codes(excinfo) == {"unknown_type"}
    assert "n'est pas reconnu, quel que soit son nom" in excinfo.value.messages[0]
    assert "formats acceptés : PDF" in excinfo.value.messages[0]


def test_a_png_renamed_pdf_is_refused_where_only_pdf_is_allowed():
    disguised = upload("comptes.pdf", png_bytes())
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(disguised, KIND_FORMATS[Kind.COMPTES_ANNUELS])
    assert error_codes(excinfo) == {"not_allowed"}
    assert excinfo.value.messages == [
        "Ce fichier est en réalité une image PNG : pour cette pièce, formats acceptés : PDF."
    ]


def test_a_png_renamed_pdf_is_accepted_as_a_png_where_images_are_allowed():
    photo = upload("logo-sur-stand.pdf", png_bytes())
    detected = uploads.inspect_upload(photo, KIND_FORMATS[Kind.PREUVE_PUBLICITE])
    assert detected.content_type == "image/png"
    assert uploads.display_name(photo.name, detected) == "logo-sur-stand.png"


def test_a_zip_that_is_not_an_office_document_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(
            upload("rapport.docx", plain_zip_bytes()), KIND_FORMATS[Kind.RAPPORT_ACTIVITE]
        )
    assert error_codes(excinfo) == {"unknown_type"}


def test_an_office_document_with_macros_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(
            upload("rapport.docx", docx_bytes(macros=True)), KIND_FORMATS[Kind.RAPPORT_ACTIVITE]
        )
    assert error_codes(excinfo) == {"macros"}


def test_office_documents_are_accepted_for_reports_but_not_for_minutes():
    report = upload("rapport.xlsx", xlsx_bytes())
    assert uploads.inspect_upload(report, KIND_FORMATS[Kind.RAPPORT_ACTIVITE]).code == "xlsx"
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("pv.docx", docx_bytes()), KIND_FORMATS[Kind.PV_AG])
    assert "en réalité un document Word" in excinfo.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("vide.pdf", b""), {uploads.PDF})
    assert excinfo.value.messages == ["Le fichier est vide."]


def test_the_size_limit_is_inclusive(settings):
    data = pdf_bytes()
    settings.JUSTIFICATIF_MAX_BYTES = len(data)
    assert uploads.inspect_upload(upload("a.pdf", data), {uploads.PDF}).code == "pdf"
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", data + b"\n"), {uploads.PDF})
    assert error_codes(excinfo) == {"too_large"}


def test_an_oversized_file_gets_a_clear_french_message():
    big = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(big, {uploads.PDF})
    assert excinfo.value.messages[0].startswith(
        "Le fichier pèse 25\u00a0Mo : la taille maximale est de 20\u00a0Mo."
    )


def test_a_broken_pdf_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", b"%PDF-1.7\nnot really a pdf"), {uploads.PDF})
    assert error_codes(excinfo) == {"bad_pdf"}


def test_a_password_protected_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", out.getvalue()), {uploads.PDF})
    assert error_codes(excinfo) == {"encrypted"}


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("C:\\Users\\x\\Bilan 2023.pdf", "Bilan 2023.pdf"),
        ('rap<port>:"2023"?.pdf', "rapport2023.pdf"),
        ("..", "document"),
        (".htaccess", "htaccess"),
        ("nom\x00caché\n.pdf", "nomcaché.pdf"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_file_names_are_cleaned_for_display(name, clean):
    assert uploads.clean_filename(name) == clean


def test_megabytes_are_written_the_french_way():
    assert uploads.megabytes(20 * 1024 * 1024) == "20\u00a0Mo"
    assert uploads.megabytes(int(1.5 * 1024 * 1024)) == "1,5\u00a0Mo"


# ---- through the upload page -----------------------------------------------------------------


@pytest.fixture
def convention(db):
    return signed_convention()


@pytest.fixture
def manager(convention):
    return manager_of(convention)


def post_upload(client, convention, kind, file):
    url = reverse("justificatif_upload", args=[convention.pk, kind])
    return client.post(url, {"file": file})


def stored_files(settings):
    root = settings.MEDIA_ROOT / "justificatifs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload("comptes.pdf", exe_bytes()), "n&#x27;est pas reconnu"),
        (upload("comptes.pdf", png_bytes()), "en réalité une image PNG"),
        (upload("comptes.pdf", plain_zip_bytes()), "n&#x27;est pas reconnu"),
        (upload("comptes.pdf", b""), "Le fichier est vide."),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_stored(
    client, convention, manager, settings, file, message
):
    client.force_login(manager)
    response = post_upload(client, convention, Kind.COMPTES_ANNUELS, file)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Rien n'a été enregistré" in response.content.decode()
    assert not Justificatif.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_upload_shows_the_limit(client, convention, manager, settings):
    settings.JUSTIFICATIF_MAX_BYTES = 1024 * 1024
    client.force_login(manager)
    file = upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    response = post_upload(client, convention, Kind.COMPTES_ANNUELS, file)
    assert "Le fichier pèse 3\u00a0Mo : la taille maximale est de 1\u00a0Mo." in (
        response.content.decode()
    )
    assert not Justificatif.objects.exists()


def multipart_with_raw_filename(filename, data):
    """A multipart body naming the file exactly as a hostile client would (the test client
    itself strips directories)."""
    boundary = "----hostile-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_path_in_the_file_name_never_reaches_the_disk(client, convention, manager, settings):
    client.force_login(manager)
    body, content_type = multipart_with_raw_filename("../../../etc/passwd.pdf", pdf_bytes())
    url = reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS])
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 302
    justificatif = Justificatif.objects.get()
    assert justificatif.original_name == "passwd.pdf"
    assert STORED_NAME.match(justificatif.file.name)
    media = settings.MEDIA_ROOT.resolve()
    assert [p.resolve().parent.parent for p in stored_files(settings)] == [media / "justificatifs"]
    assert not (settings.MEDIA_ROOT.parent / "etc").exists()
    download = client.get(reverse("justificatif_download", args=[convention.pk, justificatif.pk]))
    assert 'filename="passwd.pdf"' in download["Content-Disposition"]


def test_the_service_cleans_a_path_that_reaches_it(convention, manager, settings):
    from django.core.files import File

    from conventions.justificatifs import services

    hostile = File(io.BytesIO(pdf_bytes()), name="../../etc/passwd.pdf")
    saved = services.justificatif_upload(
        user=manager, convention=convention, kind=Kind.RAPPORT_ACTIVITE, upload=hostile
    )
    assert saved.original_name == "passwd.pdf"
    assert STORED_NAME.match(saved.file.name)
    assert "passwd" not in saved.file.name and ".." not in saved.file.name
    assert not (settings.MEDIA_ROOT.parent / "etc").exists()


def test_an_accepted_file_is_stored_under_a_generated_name_with_its_sha256(
    client, convention, manager
):
    import hashlib

    client.force_login(manager)
    data = pdf_bytes(pages=2)
    response = post_upload(
        client, convention, Kind.COMPTES_ANNUELS, upload("Comptes annuels 2023.pdf", data)
    )
    assert response.status_code == 302
    justificatif = Justificatif.objects.get()
    assert justificatif.original_name == "Comptes annuels 2023.pdf"
    assert STORED_NAME.match(justificatif.file.name)
    assert "Comptes" not in justificatif.file.name
    assert justificatif.sha256 == hashlib.sha256(data).hexdigest()
    assert justificatif.size == len(data)
    assert justificatif.content_type == "application/pdf"
    with justificatif.file.open("rb") as handle:
        assert handle.read() == data


def test_a_png_named_pdf_is_stored_as_png_where_images_are_allowed(client, convention, manager):
    client.force_login(manager)
    response = post_upload(
        client, convention, Kind.PREUVE_PUBLICITE, upload("stand.pdf", png_bytes())
    )
    assert response.status_code == 302
    justificatif = Justificatif.objects.get()
    assert justificatif.content_type == "image/png"
    assert justificatif.original_name == "stand.png"
    assert justificatif.file.name.endswith(".png")
