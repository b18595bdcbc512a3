"""The convention PDF (WeasyPrint), following the SCS 2023 seed page by page.

Rendering takes one to eight seconds: it runs in a task worker when staff ask for it
(conventions.jobs), never in a request; the file is stored in the default storage with its
SHA-256 and served by a permission-checked view. Once a party has signed, the stored file is
never rewritten.
"""

import hashlib

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from conventions.document import document_data
from grants.files import atomic_with_files
from grants.pdf import logo_uri, render_pdf


def render_convention_html(convention):
    data = document_data(convention)
    data["logo_uri"] = logo_uri(data["authority"])
    return render_to_string("conventions/pdf/convention.html", data)


def render_convention_pdf(convention):
    html = render_convention_html(convention)
    return render_pdf(html, authority=convention.authority)


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
