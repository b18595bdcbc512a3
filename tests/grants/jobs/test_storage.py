"""Logos reach the PDF renderer as data: URIs read through the storage API, never as a path."""

import base64
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from grants.storage import image_data_uri
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'


def logo_of(name, content):
    authority = AuthorityFactory()
    authority.logo.save(name, ContentFile(content), save=True)
    return authority.logo


def test_a_png_and_a_self_contained_svg_are_embedded():
    assert image_data_uri(logo_of("l.png", PNG)) == (
        "data:image/png;base64," + base64.b64encode(PNG).decode()
    )
    assert image_data_uri(logo_of("l.svg", SVG)).startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://x.example/a.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "file:///etc/x";</style></svg>',
        b"GIF-like but not an image",
        b"",
    ],
)
def test_anything_else_is_left_out(content):
    assert image_data_uri(logo_of("l.svg", content)) is None


def test_no_logo_no_image():
    assert image_data_uri(AuthorityFactory().logo) is None


@pytest.fixture
def memory_storage(settings):
    """A store with no path on disk (like S3): any code using a file path would fail."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_jobs_write_and_serve_their_files_through_the_storage_api(
    client, memory_storage, settings, django_capture_on_commit_callbacks
):
    from unittest import mock

    from django.core.files.storage import InMemoryStorage, default_storage
    from django.urls import reverse

    from deliberations.models import Deliberation
    from grants.models import Job, Role
    from tests.deliberations.factories import adopted_deliberation
    from tests.factories import UserFactory
    from tests.grants.finance.factories import BudgetLineFactory, finance_of

    default_storage.exists("x")  # set up the lazy storage
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    deliberation = adopted_deliberation()
    authority = deliberation.authority
    authority.logo.save("logo.png", ContentFile(PNG), save=True)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    with (
        mock.patch("deliberations.pdf.render_pdf", return_value=b"%PDF-1.4 extract") as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get(reverse("deliberation_extract", args=[deliberation.pk]))
    assert "data:image/png;base64," in render.call_args.args[0]  # the logo, read from the store
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    served = client.get(job.result_url)
    assert b"".join(served.streaming_content) == b"%PDF-1.4 extract"
    stored = Deliberation.objects.get(pk=deliberation.pk).extract_pdf.name
    assert default_storage.exists(stored) and response.url == job.get_absolute_url()
    assert not (Path(settings.MEDIA_ROOT) / stored).exists()  # nothing on disk

    settings.FINANCE_EXPORT_INLINE_LIMIT = 1
    for _ in range(2):
        BudgetLineFactory(authority=authority, year=2024)
    client.force_login(finance_of(authority))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("budget_line_export"))
    export = Job.objects.get(kind="export")
    assert export.status == Job.Status.DONE, export.error
    download = client.get(reverse("job_download", args=[export.pk]))
    assert b"".join(download.streaming_content).startswith(b"PK")  # an XLSX (zip) file
