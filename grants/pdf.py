"""The one way the application turns HTML into PDF (WeasyPrint), for every document it prints.

WeasyPrint fetches every URL a document names (images, stylesheets, fonts, SVG references).
Left to its default fetcher, a user text that reached a URL would make the server read a local
file or call an internal address while rendering. Here the fetcher serves only:

- the application's own static files, named `app:/static/<path>` and found by the staticfiles
  finders (so never outside the static folders);
- `data:` URIs of PNG, JPEG, GIF and SVG images (the authority's logo reaches the document
  that way, read through the storage API and checked by grants.storage.image_data_uri).

Every other URL (file:, http:, https:, ftp:, other data: types, relative paths) is refused, and
the base URL is the pseudo scheme `app:/`, never the file system root.
"""

import base64
import binascii
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders

from grants.storage import image_data_uri

BASE_URL = "app:/"
STATIC_PREFIX = "app:/static/"
DATA_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}

_weasyprint = None
_weasyprint_lock = threading.Lock()


class RefusedURL(ValueError):
    """A document named a URL the PDF renderer must not fetch."""


def _import_weasyprint():
    """WeasyPrint takes ~0.8 s to import: once per process, and only when a PDF is needed."""
    global _weasyprint
    if _weasyprint is None:
        with _weasyprint_lock:
            if _weasyprint is None:
                import weasyprint

                _weasyprint = weasyprint
    return _weasyprint


def static_uri(path):
    """The URL under which a document names one of the application's static files."""
    return STATIC_PREFIX + path.lstrip("/")


def logo_uri(authority):
    """The authority's logo as a data: URI read through the storage API ('' when it has none
    or it is not a PNG, JPEG, GIF or self-contained SVG image: see grants.storage)."""
    if authority is None or not authority.logo:
        return ""
    return image_data_uri(authority.logo) or ""


def _content_type(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _static_file(relative):
    relative = unquote(relative)
    parts = Path(relative).parts
    if not relative or relative.startswith("/") or ".." in parts or "\\" in relative:
        raise RefusedURL(f"static path refused: {relative!r}")
    found = finders.find(relative)
    if not found or isinstance(found, list) or not Path(found).is_file():
        raise RefusedURL(f"no such static file: {relative!r}")
    return Path(found).read_bytes(), _content_type(found)


def _data_uri(url):
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise RefusedURL("malformed data: URI")
    fields = [field.strip().lower() for field in header.split(";")]
    media_type = fields[0] or "text/plain"
    if media_type not in DATA_IMAGE_TYPES:
        raise RefusedURL(f"data: URI of type {media_type!r} refused")
    try:
        body = base64.b64decode(payload, validate=True) if "base64" in fields else unquote(payload)
    except (binascii.Error, ValueError) as error:
        raise RefusedURL("malformed data: URI") from error
    return (body.encode() if isinstance(body, str) else body), media_type


def resolve(url):
    """(bytes, content type) for a URL a document may name; RefusedURL for any other."""
    if url.startswith(STATIC_PREFIX):
        return _static_file(urlsplit(url).path.removeprefix("/static/"))
    if url[:5].lower() == "data:":
        return _data_uri(url)
    raise RefusedURL(f"URL refused by the PDF renderer: {url[:200]!r}")


def url_fetcher():
    """A WeasyPrint fetcher that serves only what `resolve` allows."""
    weasyprint = _import_weasyprint()
    from weasyprint.urls import URLFetcherResponse

    class SafeURLFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            body, content_type = resolve(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return SafeURLFetcher(fail_on_errors=False)


def render_pdf(html, *, authority=None):
    """The PDF of an HTML document the application built; only safe URLs are fetched."""
    weasyprint = _import_weasyprint()
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf()
