"""Files are read through Django's storage API only (STORAGES["default"]): never a path on disk,
so that the same code runs on the filesystem and on an S3-compatible store."""

import base64
import re

# Image types a PDF may embed, told by their first bytes (never by the uploaded name).
_IMAGE_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
MAX_EMBEDDED_IMAGE = 2 * 1024 * 1024
# An SVG logo is embedded only if it references nothing outside itself (no fetch at render time).
_SVG_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.DOTALL)
_SVG_EXTERNAL = re.compile(
    rb"(href|src)\s*=\s*[\"'](?!#)|url\(\s*[\"']?(?!#)|<script|@import", re.IGNORECASE
)


def image_data_uri(field_file):
    """The stored image as a data: URI for the PDF renderer (no file:// path, no URL to fetch);
    None when there is no file, it cannot be read, or it is not a PNG, JPEG, GIF or
    self-contained SVG image."""
    if not field_file:
        return None
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            content = handle.read(MAX_EMBEDDED_IMAGE + 1)
    except (OSError, ValueError):
        return None
    if len(content) > MAX_EMBEDDED_IMAGE:
        return None
    content_type = next(
        (kind for signature, kind in _IMAGE_SIGNATURES if content.startswith(signature)), None
    )
    if content_type is None and _SVG_START.match(content) and not _SVG_EXTERNAL.search(content):
        content_type = "image/svg+xml"
    if content_type is None:
        return None
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
