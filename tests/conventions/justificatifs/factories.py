"""Real (small) files of every format, hostile ones, and the set-up the justificatif tests share."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from conventions.models import Convention
from grants.models import Role
from tests.conventions.factories import ConventionFactory, signed
from tests.factories import ManagerFactory, UserFactory


def pdf_bytes(pages=1, text=""):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(width=2, height=2):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes():
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def _zip(entries, first_stored=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored:
            name, data = first_stored
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(macros=False):
    entries = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
        "_rels/.rels": "<Relationships/>",
        "word/document.xml": "<w:document/>",
    }
    if macros:
        entries["word/vbaProject.bin"] = b"\x00" * 16
    return _zip(entries)


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Compte rendu financier"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odt_bytes():
    return _zip(
        {"content.xml": "<office:document-content/>", "META-INF/manifest.xml": "<manifest/>"},
        first_stored=("mimetype", b"application/vnd.oasis.opendocument.text"),
    )


def doc_bytes():
    """A legacy Word file as far as the check goes: OLE2 signature and a WordDocument stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "Root Entry".encode("utf-16-le") + b"\x00" * 54 + "WordDocument".encode("utf-16-le")
    return header + directory + b"\x00" * 512


def exe_bytes():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"PE\x00\x00"


def plain_zip_bytes():
    return _zip({"readme.txt": "not an office document", "payload.exe": exe_bytes()})


def upload(name, data, content_type="application/pdf"):
    """The browser's content type is deliberately whatever the caller says: it is never used."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_upload(name="comptes-2023.pdf", **kwargs):
    return upload(name, pdf_bytes(**kwargs))


# ---- set-up ----------------------------------------------------------------------------------


def signed_convention(**kwargs):
    """A convention signed by both parties (justificatifs may be handed in), year 2023."""
    kwargs.setdefault("year", 2023)
    return signed(ConventionFactory(**kwargs))


def manager_of(convention, **kwargs):
    return ManagerFactory(associations=[convention.association], **kwargs)


def staff_of(convention, role=Role.INSTRUCTOR, **kwargs):
    return UserFactory(role=role, authority=convention.authority, **kwargs)


def in_status(convention, status):
    Convention.objects.filter(pk=convention.pk).update(status=status)
    convention.refresh_from_db()
    return convention
