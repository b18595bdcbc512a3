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


# ---- PDFs that carry active content (issue 11, item 5) ---------------------------------------


def _pdf_with(build):
    """A one-page PDF changed by `build(writer, page)` before it is written."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    build(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind, **entries):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _annotation(writer, page, subtype, **entries):
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 50, 50)]),
        }
    )
    for key, value in entries.items():
        annotation[NameObject(f"/{key}")] = value
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _document_js(writer, page):
    """Document-level JavaScript, in the catalog's /Names tree (run when the file opens)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("init"), writer._add_object(_action("/JavaScript", JS="x"))]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _open_action_js(writer, page):
    from pypdf.generic import NameObject

    writer._root_object[NameObject("/OpenAction")] = _action("/JavaScript", JS="app.alert(1)")


def _page_aa(writer, page):
    from pypdf.generic import DictionaryObject, NameObject

    page[NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/URI", URI="http://127.0.0.1/")}
    )


def _catalog_aa(writer, page):
    from pypdf.generic import DictionaryObject, NameObject

    writer._root_object[NameObject("/AA")] = DictionaryObject(
        {NameObject("/WC"): _action("/JavaScript", JS="this.submitForm()")}
    )


def _launch_link(writer, page):
    _annotation(writer, page, "/Link", A=_action("/Launch", F="C:\\Windows\\calc.exe"))


def _javascript_link(writer, page):
    _annotation(writer, page, "/Link", A=_action("/JavaScript", JS="app.launchURL('x')"))


def _submit_form(writer, page):
    _annotation(writer, page, "/Link", A=_action("/SubmitForm", F="http://127.0.0.1/"))


def _rich_media(writer, page):
    _annotation(writer, page, "/RichMedia")


def _file_attachment_annotation(writer, page):
    _annotation(writer, page, "/FileAttachment")


def _open_action_launch(writer, page):
    from pypdf.generic import NameObject

    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        _action("/Launch", F="cmd.exe")
    )


HOSTILE_PDFS = {
    "document JavaScript": _document_js,
    "OpenAction JavaScript": _open_action_js,
    "OpenAction Launch": _open_action_launch,
    "page /AA": _page_aa,
    "catalog /AA": _catalog_aa,
    "Launch link": _launch_link,
    "JavaScript link": _javascript_link,
    "SubmitForm link": _submit_form,
    "RichMedia annotation": _rich_media,
    "FileAttachment annotation": _file_attachment_annotation,
    "embedded file": lambda w, p: w.add_attachment("facture.exe", b"MZ\x90\x00"),
}


@pytest.mark.parametrize("build", HOSTILE_PDFS.values(), ids=HOSTILE_PDFS.keys())
def test_a_pdf_with_active_content_is_refused(build):
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("comptes.pdf", _pdf_with(build)), {uploads.PDF})
    assert error_codes(excinfo) == {"active_pdf"}
    assert "Imprimez-le en PDF" in excinfo.value.messages[0]


def test_the_message_names_what_was_found():
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", _pdf_with(_document_js)), {uploads.PDF})
    assert "Ce PDF contient du JavaScript" in excinfo.value.messages[0]


def _open_on_first_page(writer, page):
    from pypdf.generic import ArrayObject, NameObject, NullObject

    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
    )


def _web_link(writer, page):
    _annotation(writer, page, "/Link", A=_action("/URI", URI="https://www.service-public.fr/"))


@pytest.mark.parametrize("build", [_open_on_first_page, _web_link], ids=["open on page 1", "URI"])
def test_plain_pdfs_with_a_first_page_or_a_web_link_are_accepted(build):
    data = _pdf_with(build)
    assert uploads.inspect_upload(upload("a.pdf", data), {uploads.PDF}).code == "pdf"


@pytest.mark.parametrize(
    "data",
    [b"\n" + pdf_bytes(), b"GIF89a" + pdf_bytes(), b"\xef\xbb\xbf" + pdf_bytes()],
    ids=["newline", "polyglot GIF", "BOM"],
)
def test_a_pdf_must_start_with_its_header_at_byte_0(data):
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", data), {uploads.PDF})
    assert error_codes(excinfo) == {"pdf_header"}
    assert "ne commence pas par l'en-tête d'un PDF" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes()[:200],  # truncated
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>",
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        b"%PDF-",
    ],
    ids=["truncated", "self-referencing pages", "binary noise", "header only"],
)
def test_broken_pdfs_are_refused_with_a_french_message(data):
    with pytest.raises(ValidationError) as excinfo:
        uploads.inspect_upload(upload("a.pdf", data), {uploads.PDF})
    assert error_codes(excinfo) <= {"bad_pdf", "empty_pdf"}


def test_a_javascript_pdf_upload_is_refused_and_nothing_is_stored(
    client, convention, manager, settings
):
    client.force_login(manager)
    hostile = upload("comptes.pdf", _pdf_with(_document_js))
    response = post_upload(client, convention, Kind.COMPTES_ANNUELS, hostile)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce PDF contient du JavaScript" in page
    assert "Rien n&#x27;a été enregistré" in page or "Rien n'a été enregistré" in page
    assert not Justificatif.objects.exists()
    assert stored_files(settings) == []


def test_a_signed_scan_with_javascript_is_refused(convention):
    from conventions.services import upload_signed_copy
    from grants.models import Role
    from tests.factories import UserFactory

    instructor = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    hostile = upload("signee.pdf", _pdf_with(_open_action_js))
    with pytest.raises(ValidationError) as excinfo:
        upload_signed_copy(user=instructor, convention=convention, upload=hostile)
    assert error_codes(excinfo) == {"active_pdf"}
    convention.refresh_from_db()
    assert not convention.signed_file


def test_the_signed_scan_downloads_as_an_attachment_and_the_generated_pdf_inline(
    client, convention
):
    from conventions.services import upload_signed_copy
    from grants.models import Role
    from tests.factories import UserFactory

    instructor = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    upload_signed_copy(user=instructor, convention=convention, upload=upload("s.pdf", pdf_bytes()))
    client.force_login(instructor)
    url = reverse("convention_pdf", args=[convention.pk])
    signed = client.get(url, {"version": "signe"})
    assert signed["Content-Disposition"].startswith("attachment;")
    assert signed["X-Content-Type-Options"] == "nosniff"
    assert b"".join(signed.streaming_content).startswith(b"%PDF-")
    reference = client.get(url)  # the signed scan is the reference copy
    assert reference["Content-Disposition"].startswith("attachment;")
