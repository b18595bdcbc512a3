"""« Mes documents »: the association's standing pieces, their validity, the upload of a new
or replacing piece, the download (the only way to a file).

Every view starts from `Association.objects.visible_to(user)`: another association's or another
authority's documents answer 404. Staff of the authority read; the managers upload (403 else).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from associations.documents import services
from associations.documents.forms import DocumentUploadForm
from associations.documents.models import AssociationDocument, PieceKind
from associations.models import Association
from grants.access import can_upload_documents
from grants.downloads import uploaded_file_response

HISTORY_SHOWN = 100


def _association(user, pk):
    return get_object_or_404(
        Association.objects.visible_to(user).select_related("authority"), pk=pk
    )


@login_required
def document_list(request, pk):
    association = _association(request.user, pk)
    documents = list(
        AssociationDocument.objects.filter(association=association)
        .select_related("uploaded_by")
        .order_by("kind", "-uploaded_at", "-pk")[:HISTORY_SHOWN]
    )
    rows = services.today_rows(association)
    others = [d for d in documents if d.kind == PieceKind.OTHER and d.replaced_at is None]
    ctx = {
        "association": association,
        "rows": rows,
        "others": others,
        "history": [d for d in documents if d.replaced_at is not None],
        "can_upload": can_upload_documents(request.user, association),
        "other_kind": PieceKind.OTHER,
    }
    return render(request, "associations/documents/list.html", ctx)


def _back(request, association):
    target = request.POST.get("retour") or request.GET.get("retour") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk, kind):
    association = _association(request.user, pk)
    if kind not in PieceKind.values:
        raise Http404
    if not can_upload_documents(request.user, association):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST or None, request.FILES or None, kind=kind)
    current = (
        AssociationDocument.objects.current().filter(association=association, kind=kind).first()
        if kind != PieceKind.OTHER
        else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                user=request.user,
                association=association,
                kind=kind,
                upload=form.cleaned_data["file"],
                year=form.cleaned_data.get("year"),
                valid_until=form.cleaned_data.get("valid_until"),
                label=form.cleaned_data.get("label", ""),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else "file", message)
            else:
                for message in error.messages:
                    form.add_error("file", message)
        else:
            messages.success(
                request,
                f"« {PieceKind(kind).label} » est enregistré"
                + (" : il remplace le précédent, gardé dans l'historique." if current else "."),
            )
            return redirect(_back(request, association) or "association_documents", pk)
    ctx = {
        "association": association,
        "form": form,
        "kind": kind,
        "label": PieceKind(kind).label,
        "current": current,
        "back": _back(request, association),
    }
    return render(request, "associations/documents/upload.html", ctx)


@login_required
def document_download(request, pk, document_pk):
    association = _association(request.user, pk)
    document = get_object_or_404(
        AssociationDocument.objects.filter(association=association), pk=document_pk
    )
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Fichier introuvable.") from None
    return uploaded_file_response(
        handle, filename=document.original_name, content_type=document.content_type
    )
