"""File helpers: fingerprints and the checks an uploaded PDF must pass."""

import hashlib
import io

from django.core.exceptions import ValidationError

MAX_SIGNED_PDF_SIZE = 20 * 1024 * 1024


def sha256_of(file):
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def validate_pdf(upload, max_size=MAX_SIGNED_PDF_SIZE):
    """A PDF checked by its content, not its name: magic bytes, then pypdf must read it."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if upload.size > max_size:
        raise ValidationError(
            "Le fichier dépasse la taille maximale de %(max)d Mo.",
            params={"max": max_size // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError("Ce fichier n'est pas un PDF.", code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(upload.read()))
        page_count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError("Ce PDF est illisible ou endommagé.", code="bad_pdf") from error
    finally:
        upload.seek(0)
    if page_count == 0:
        raise ValidationError("Ce PDF ne contient aucune page.", code="empty_pdf")
    return page_count
