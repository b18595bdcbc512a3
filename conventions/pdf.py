"""The convention PDF (WeasyPrint), following the SCS 2023 seed page by page.

Rendering takes about a second: it happens only when staff ask for it (or mark a convention
ready), never on a page view; the file is stored under MEDIA_ROOT with its SHA-256 and served by
a permission-checked view. Once a party has signed, the stored file is never rewritten.
"""

import hashlib
from functools import cache

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from conventions.document import document_data
from grants.files import atomic_with_files


@cache
def _weasyprint():
    """Import WeasyPrint once per process (the import alone takes ~0.8 s)."""
    import weasyprint

    return weasyprint


def logo_uri(authority):
    if authority.logo:
        try:
            return authority.logo.path and f"file://{authority.logo.path}"
        except (NotImplementedError, ValueError):
            return None
    return None


def render_convention_html(convention):
    data = document_data(convention)
    data["logo_uri"] = logo_uri(data["authority"])
    return render_to_string("conventions/pdf/convention.html", data)


def render_convention_pdf(convention):
    html = render_convention_html(convention)
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, base_url="/").write_pdf()


def store_convention_pdf(convention, user, files=None):
    """Render, store with its SHA-256 and record who and when (the caller holds the lock).

    `files`: the caller's atomic_with_files() changes, if it has opened one.
    """
    if files is None:
        with atomic_with_files() as files:
            return store_convention_pdf(convention, user, files)
    content = render_convention_pdf(convention)
    name = f"convention-{convention.pk}-{timezone.now():%Y%m%d%H%M%S}.pdf"
    files.save(convention.pdf_file, name, ContentFile(content))
    convention.pdf_sha256 = hashlib.sha256(content).hexdigest()
    convention.pdf_generated_by = user
    convention.save()
    # After save(): updated_at (auto_now) is not later than the generation time.
    convention.pdf_generated_at = timezone.now()
    type(convention).objects.filter(pk=convention.pk).update(
        pdf_generated_at=convention.pdf_generated_at
    )
    return content
