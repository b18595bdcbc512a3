"""Checks an uploaded file by its content, never by its name or the browser's content type.

A PDF starts with `%PDF-` and pypdf must read at least one page from it; a PNG or a JPEG starts
with its signature; an office document is an OOXML zip (with `[Content_Types].xml` and its main
part), an OpenDocument zip (its first entry `mimetype` names the kind) or a legacy OLE2 compound
file holding a Word, Excel or PowerPoint stream. Documents with macros are refused. The size limit
is the JUSTIFICATIF_MAX_BYTES setting (20 Mo by default).
"""

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

PDF, IMAGE, OFFICE = "pdf", "image", "office"
GROUP_LABELS = {
    PDF: "PDF",
    IMAGE: "image PNG ou JPEG",
    OFFICE: "document bureautique (Word, Excel, PowerPoint, OpenDocument)",
}


@dataclass(frozen=True)
class Format:
    code: str
    label: str  # "image PNG"
    described: str  # "une image PNG", for messages
    extension: str
    content_type: str
    group: str


OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
FORMATS = {
    f.code: f
    for f in [
        Format("pdf", "PDF", "un PDF", ".pdf", "application/pdf", PDF),
        Format("png", "image PNG", "une image PNG", ".png", "image/png", IMAGE),
        Format("jpeg", "image JPEG", "une image JPEG", ".jpg", "image/jpeg", IMAGE),
        Format("docx", "document Word", "un document Word", ".docx",
               OOXML + "wordprocessingml.document", OFFICE),
        Format("xlsx", "classeur Excel", "un classeur Excel", ".xlsx",
               OOXML + "spreadsheetml.sheet", OFFICE),
        Format("pptx", "présentation PowerPoint", "une présentation PowerPoint", ".pptx",
               OOXML + "presentationml.presentation", OFFICE),
        Format("odt", "texte OpenDocument", "un texte OpenDocument", ".odt", ODF + "text", OFFICE),
        Format("ods", "classeur OpenDocument", "un classeur OpenDocument", ".ods",
               ODF + "spreadsheet", OFFICE),
        Format("odp", "présentation OpenDocument", "une présentation OpenDocument", ".odp",
               ODF + "presentation", OFFICE),
        Format("doc", "document Word (ancien format)", "un document Word", ".doc",
               "application/msword", OFFICE),
        Format("xls", "classeur Excel (ancien format)", "un classeur Excel", ".xls",
               "application/vnd.ms-excel", OFFICE),
        Format("ppt", "présentation PowerPoint (ancien format)", "une présentation PowerPoint",
               ".ppt", "application/vnd.ms-powerpoint", OFFICE),
    ]
}  # fmt: skip

# Extensions that name the same format (a .jpeg file keeps its name).
EQUIVALENT_EXTENSIONS = {".jpeg": ".jpg", ".jpe": ".jpg"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
# Stream names of the legacy binary formats, as they appear (UTF-16LE) in the OLE2 directory.
OLE2_STREAMS = [
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),
    ("PowerPoint Document", "ppt"),
]
OLE2_MACRO_STREAMS = ["_VBA_PROJECT", "VBA"]


def max_bytes():
    return int(getattr(settings, "JUSTIFICATIF_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size):
    """20971520 → '20 Mo', 1572864 → '1,5 Mo' (French decimal comma)."""
    value = size / (1024 * 1024)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}\u00a0Mo"


def clean_filename(name, default="document"):
    """The user's file name made safe for display and Content-Disposition: no directories, no
    control or reserved characters, no leading dots, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = " ".join(name.split()).strip(" .")
    if not name:
        return default
    if len(name) > 150:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[: 150 - len(suffix)].rstrip(" .") + suffix
    return name


def display_name(original, detected):
    """The user's name with the extension of what the file really is (photo.pdf → photo.png)."""
    name = clean_filename(original)
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if EQUIVALENT_EXTENSIONS.get(suffix, suffix) == detected.extension:
        return name
    stem = path.stem if suffix and len(suffix) <= 6 else name
    return f"{stem or 'document'}{detected.extension}"


# ---- detection -------------------------------------------------------------------------------


def _read_head(upload, size=2048):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _inspect_zip(upload):
    """An OOXML or OpenDocument file, or None for any other zip (or a broken one)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            infos = archive.infolist()
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    raise ValidationError(
                        "Les documents contenant des macros ne sont pas acceptés : enregistrez-le "
                        "sans macros ou en PDF.",
                        code="macros",
                    )
                for part, code in OOXML_MAIN_PARTS.items():
                    if part in names:
                        return code
                return None
            first = infos[0] if infos else None
            if first is not None and first.filename == "mimetype" and first.file_size < 200:
                code = ODF_MIMETYPES.get(archive.read(first).strip())
                if code and any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    raise ValidationError(
                        "Les documents contenant des macros ne sont pas acceptés : enregistrez-le "
                        "sans macros ou en PDF.",
                        code="macros",
                    )
                return code
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def _ole2_streams(upload):
    """Which known stream names appear in an OLE2 file (scanned in chunks, with overlap)."""
    wanted = {name: name.encode("utf-16-le") for name, _ in OLE2_STREAMS}
    wanted.update({name: name.encode("utf-16-le") for name in OLE2_MACRO_STREAMS})
    found = set()
    overlap = max(len(v) for v in wanted.values())
    tail = b""
    upload.seek(0)
    for chunk in iter(lambda: upload.read(256 * 1024), b""):
        data = tail + chunk
        found.update(name for name, needle in wanted.items() if needle in data)
        tail = data[-overlap:]
    upload.seek(0)
    return found


def _inspect_ole2(upload):
    streams = _ole2_streams(upload)
    if any(name in streams for name in OLE2_MACRO_STREAMS):
        raise ValidationError(
            "Les documents contenant des macros ne sont pas acceptés : enregistrez-le sans macros "
            "ou en PDF.",
            code="macros",
        )
    for name, code in OLE2_STREAMS:
        if name in streams:
            return code
    return None


def detect_format(upload):
    """The Format the content really is, or None. Raises ValidationError for macros."""
    head = _read_head(upload)
    if head.startswith(b"%PDF-"):
        return FORMATS["pdf"]
    if b"%PDF-" in head[:1024]:
        raise ValidationError(
            "Ce fichier ne commence pas par l'en-tête d'un PDF (« %PDF- ») : des données "
            "le précèdent. Enregistrez-le à nouveau en PDF puis déposez-le.",
            code="pdf_header",
        )
    if head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR":
        return FORMATS["png"]
    if head.startswith(JPEG_SIGNATURE):
        return FORMATS["jpeg"]
    if head.startswith(ZIP_SIGNATURE):
        code = _inspect_zip(upload)
        return FORMATS[code] if code else None
    if head.startswith(OLE2_SIGNATURE):
        code = _inspect_ole2(upload)
        return FORMATS[code] if code else None
    return None


def _check_pdf(upload):
    """pypdf must open the PDF and find at least one page; password-protected ones are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                "Ce PDF est protégé par un mot de passe : déposez une version sans protection.",
                code="encrypted",
            )
        pages = len(reader.pages)
        found = active_content(reader)
    except ValidationError:
        raise
    except (
        PdfReadError,
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
    ) as error:
        raise ValidationError(
            "Ce PDF est illisible ou endommagé : enregistrez-le à nouveau puis déposez-le.",
            code="bad_pdf",
        ) from error
    except NotImplementedError as error:  # an encryption pypdf cannot open
        raise ValidationError(
            "Ce PDF est protégé par un mot de passe : déposez une version sans protection.",
            code="encrypted",
        ) from error
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError("Ce PDF ne contient aucune page.", code="empty_pdf")
    if found:
        raise ValidationError(
            "Ce PDF contient %(found)s, qui pourrai(en)t s'exécuter à son ouverture : ce n'est "
            "pas accepté. Imprimez-le en PDF (« Enregistrer au format PDF » ou « Microsoft Print "
            "to PDF ») ou numérisez-le, puis déposez le nouveau fichier.",
            params={"found": ", ".join(found)},
            code="active_pdf",
        )


# What a PDF may carry that runs or opens something: the French names given in the message.
ACTIVE_KEYS = {
    "/JavaScript": "du JavaScript",
    "/JS": "du JavaScript",
    "/AA": "des actions automatiques (/AA)",
    "/EmbeddedFiles": "des fichiers intégrés",
    "/EmbeddedFile": "des fichiers intégrés",
    "/RichMedia": "du contenu multimédia actif (/RichMedia)",
    "/XFA": "un formulaire XFA",
}
ACTIVE_ACTIONS = {
    "/JavaScript": "du JavaScript",
    "/Launch": "une commande de lancement de programme (/Launch)",
    "/SubmitForm": "un envoi de formulaire",
    "/ImportData": "une importation de données",
    "/GoToE": "un lien vers un fichier intégré",
    "/GoToR": "un lien vers un autre fichier",
    "/RichMediaExecute": "du contenu multimédia actif (/RichMedia)",
    "/Rendition": "une lecture de média",
}
ACTIVE_TYPES = {
    "/EmbeddedFile": "des fichiers intégrés",
    "/FileAttachment": "des fichiers joints",
    "/RichMedia": "du contenu multimédia actif (/RichMedia)",
    "/Screen": "une lecture de média",
}
MAX_PDF_OBJECTS = 500_000  # a bound on the walk; a real scan holds a few thousand


def _findings(obj):
    """The French names of the active content one PDF dictionary carries itself."""
    from pypdf.generic import DictionaryObject

    labels = [label for name, label in ACTIVE_KEYS.items() if name in obj]
    if obj.get("/S") in ACTIVE_ACTIONS:
        labels.append(ACTIVE_ACTIONS[obj["/S"]])
    labels += [ACTIVE_TYPES[obj[n]] for n in ("/Type", "/Subtype") if obj.get(n) in ACTIVE_TYPES]
    opening = obj.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        if isinstance(opening, DictionaryObject) and opening.get("/S") != "/GoTo":
            labels.append("une action automatique à l'ouverture (/OpenAction)")
    return labels


def active_content(reader):
    """The French names of the active content found in the PDF's objects (catalog, pages,
    annotations, actions, name trees), in the order met; [] for a plain document.

    Every object reachable from the trailer is visited once (streams' dictionaries, not their
    data). An /OpenAction that only shows a page (a destination, or a /GoTo action) is plain.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found, seen, stack = [], set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found += [label for label in _findings(obj) if label not in found]
            stack.extend(value for key, value in obj.items() if key != "/Parent")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def allowed_label(groups):
    labels = [GROUP_LABELS[g] for g in (PDF, IMAGE, OFFICE) if g in groups]
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " ou " + labels[-1]


def inspect_upload(upload, groups):
    """Check size and content; return the detected Format or raise a French ValidationError."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("Le fichier est vide.", code="empty")
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            "Le fichier pèse %(size)s : la taille maximale est de %(max)s. Réduisez-le (par "
            "exemple en numérisant en 150 ppp, en noir et blanc) ou déposez-le en plusieurs "
            "parties.",
            params={"size": megabytes(size), "max": megabytes(limit)},
            code="too_large",
        )
    detected = detect_format(upload)
    if detected is None:
        message = (
            "Le contenu de ce fichier n'est pas reconnu, quel que soit son nom : formats "
            "acceptés : %(allowed)s."
        )
        if set(groups) == {PDF}:
            message += " Ce fichier n'est pas un PDF : exportez ou numérisez le document en PDF."
        raise ValidationError(
            message, params={"allowed": allowed_label(groups)}, code="unknown_type"
        )
    if detected.group not in groups:
        raise ValidationError(
            "Ce fichier est en réalité %(found)s : pour cette pièce, formats acceptés : "
            "%(allowed)s.",
            params={"found": detected.described, "allowed": allowed_label(groups)},
            code="not_allowed",
        )
    if detected.group == PDF:
        _check_pdf(upload)
    return detected
