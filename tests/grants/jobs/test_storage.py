"""Logos reach the PDF renderer as data: URIs read through the storage API, never as a path."""

import base64

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
