"""Writes of « Mes documents »: an upload becomes the current piece of its kind; the one it
replaces keeps its row (with `replaced_at`) in the history. Reads shared by the documents page
and the request's pieces step (`piece_rows`).

Uploads get the checks of the justificatifs (conventions/justificatifs/uploads.py: content, not
name; PDF or image) and are written with their row, all or nothing (grants/files.py).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from associations.documents.models import YEARLY_KINDS, YEARS_VALID, AssociationDocument, PieceKind
from conventions.files import sha256_of
from conventions.justificatifs.uploads import IMAGE, PDF, display_name, inspect_upload
from grants.access import can_upload_documents, require
from grants.files import atomic_with_files

DOCUMENT_FORMATS = (PDF, IMAGE)

# The states a piece shows (« valable », « valable jusqu'au … », « expiré », « manquant »).
VALID, EXPIRES, EXPIRED, MISSING = "valid", "expires", "expired", "missing"


def document_upload(
    *, user, association, kind, upload, year=None, valid_until=None, label="", today=None
):
    """The association's new piece of `kind`; the current one of that kind (if any) is marked
    replaced, in the same transaction, the association's row locked so that two uploads at once
    leave one current piece."""
    from associations.models import Association

    require(
        can_upload_documents(user, association),
        "Seuls les gestionnaires de l'association déposent ses documents.",
    )
    if kind not in PieceKind.values:
        raise ValidationError("Type de pièce inconnu.")
    today = today or timezone.localdate()
    if kind in YEARLY_KINDS and not year:
        raise ValidationError(
            {"year": "Indiquez l'exercice que couvre ce document (par exemple 2025)."}
        )
    if year and not (1900 <= year <= today.year + 1):
        raise ValidationError({"year": f"L'exercice {year} n'est pas plausible."})
    if valid_until is not None and valid_until < today:
        raise ValidationError(
            {"valid_until": f"La date de validité ({valid_until:%d/%m/%Y}) est déjà passée."}
        )
    detected = inspect_upload(upload, DOCUMENT_FORMATS)
    digest = sha256_of(upload)
    now = timezone.now()
    with atomic_with_files() as files:
        Association.objects.select_for_update(of=("self",)).get(pk=association.pk)
        current = None
        if kind != PieceKind.OTHER:
            current = (
                AssociationDocument.objects.current()
                .filter(association=association, kind=kind)
                .first()
            )
        if current is not None and current.sha256 == digest:
            raise ValidationError(
                f"Ce fichier est identique au document déposé le "
                f"{timezone.localdate(current.uploaded_at):%d/%m/%Y} : il est déjà enregistré."
            )
        if current is not None:
            current.replaced_at = now
            current.save(update_fields=["replaced_at"])
        document = AssociationDocument(
            association=association,
            kind=kind,
            label=(label or "").strip(),
            year=year or None,
            valid_until=valid_until,
            original_name=display_name(upload.name, detected),
            extension=detected.extension,
            content_type=detected.content_type,
            size=upload.size,
            sha256=digest,
            uploaded_at=now,
            uploaded_by=user,
        )
        files.save(document.file, "upload", upload)
        document.save()
    return document


def document_state(document, on_date, campaign_year=None):
    """(state, French text) of a piece on a date (for a campaign year)."""
    if document is None:
        return MISSING, "Manquant"
    if not document.is_valid_on(on_date, campaign_year):
        if document.valid_until is not None and document.valid_until < on_date:
            return EXPIRED, f"Expiré le {document.valid_until:%d/%m/%Y}"
        return EXPIRED, f"Trop ancien (exercice {document.year or 'non renseigné'})"
    if document.valid_until is not None:
        return EXPIRES, f"Valable jusqu'au {document.valid_until:%d/%m/%Y}"
    if document.kind in YEARLY_KINDS and document.year:
        last = document.year + YEARS_VALID
        return VALID, f"Valable (exercice {document.year}, pour les demandes jusqu'à {last})"
    return VALID, "Valable"


@dataclass
class PieceRow:
    kind: str
    label: str
    state: str
    text: str
    document: AssociationDocument | None = None
    bank_details: object | None = None  # validated bank details standing for the RIB

    @property
    def satisfied(self):
        return self.state in (VALID, EXPIRES)


def current_documents(association):
    """{kind: current document} (the latest of « autre »)."""
    documents = {}
    for document in AssociationDocument.objects.current().filter(association=association):
        documents.setdefault(document.kind, document)
    return documents


def piece_rows(association, kinds, on_date, campaign_year=None, documents=None, bank=None):
    """One row per piece kind: the current document and its state on `on_date`. The RIB is
    satisfied by the association's validated bank details (with their RIB) when it has no
    valid RIB document: it is not asked twice."""
    from associations.models import BankDetails

    documents = current_documents(association) if documents is None else documents
    rows = []
    for kind in kinds:
        if kind not in PieceKind.values:
            continue
        document = documents.get(kind)
        state, text = document_state(document, on_date, campaign_year)
        row = PieceRow(kind, PieceKind(kind).label, state, text, document)
        if kind == PieceKind.RIB and not row.satisfied:
            details = bank if bank is not None else BankDetails.objects.in_force(association)
            if details is not None and details.rib_file:
                row.bank_details = details
                row.state, row.text = (
                    VALID,
                    (
                        "Fourni avec les coordonnées bancaires validées le "
                        f"{timezone.localdate(details.decided_at):%d/%m/%Y}"
                    ),
                )
        rows.append(row)
    return rows


def today_rows(association, today=None):
    """The documents page: every kind but « autre », valid or not today (for this year's and
    next year's requests)."""
    today = today or timezone.localdate()
    kinds = [kind for kind in PieceKind.values if kind != PieceKind.OTHER]
    return piece_rows(association, kinds, today, today.year)
