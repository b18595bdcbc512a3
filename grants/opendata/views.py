"""Open data: the public files (no login), and the staff page (what is not published, imports)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grants.access import can_import_grants, grant_importer_required, staff_required
from grants.models import Authority, ImportBatch, ImportIssue
from grants.opendata import export, scdl, services, tasks
from grants.opendata.forms import ColumnMappingForm, ImportUploadForm
from grants.opendata.imports import FileUnreadable
from grants.pagination import paginate

# --------------------------------------------------------------------------------------------
# Public
# --------------------------------------------------------------------------------------------


def public_authority(request, siren):
    """The yearly SCDL files of one authority, for anyone."""
    authority = get_object_or_404(Authority, siren=siren)
    years = export.years_with_publishable_counts(authority)
    return render(
        request,
        "grants/opendata/public_authority.html",
        {"authority": authority, "years": years, "threshold": export.PUBLICATION_THRESHOLD},
    )


def public_csv(request, siren, year):
    """The SCDL file of a year, streamed (grants above 23 000 €)."""
    authority = get_object_or_404(Authority, siren=siren)
    if year not in export.years_with_grants(authority):
        raise Http404("Aucune subvention pour cet exercice.")
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in export.csv_chunks(authority, year)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{export.file_name(authority, year)}"'
    return response


# --------------------------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------------------------


def _authority_for(request):
    """The user's authority; the platform administrator chooses one (?collectivite=SIREN)."""
    if request.user.is_platform_admin:
        siren = request.GET.get("collectivite") or request.POST.get("collectivite")
        authorities = Authority.objects.order_by("name")
        if siren:
            return get_object_or_404(authorities, siren=siren)
        return authorities.first()
    return request.user.authority


@staff_required
def staff_page(request):
    authority = _authority_for(request)
    if authority is None:
        raise Http404("Aucune collectivité.")
    years = export.years_with_grants(authority)
    try:
        year = int(request.GET.get("annee") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    include_all = request.GET.get("toutes") == "1"
    lines = list(export.export_lines(authority, year, include_all=include_all)) if year else []
    refused = [line for line in lines if not line.published]
    page = Paginator(refused, 25).get_page(request.GET.get("page"))
    batches = ImportBatch.objects.visible_to(request.user).filter(authority=authority)[:10]
    return render(
        request,
        "grants/opendata/staff.html",
        {
            "authority": authority,
            "authorities": (
                Authority.objects.order_by("name") if request.user.is_platform_admin else None
            ),
            "years": years,
            "year": year,
            "include_all": include_all,
            "published_count": len(lines) - len(refused),
            "refused_count": len(refused),
            "page": page,
            "batches": batches,
            "can_import": can_import_grants(request.user),
            "form": ImportUploadForm(allow_create_authorities=request.user.is_platform_admin),
            "threshold": export.PUBLICATION_THRESHOLD,
        },
    )


@grant_importer_required
@require_POST
def import_upload(request):
    authority = _authority_for(request)
    form = ImportUploadForm(
        request.POST, request.FILES, allow_create_authorities=request.user.is_platform_admin
    )
    if not form.is_valid():
        for error in form.errors.get("file", []) or form.non_field_errors():
            messages.error(request, error)
        if not form.errors.get("file"):
            messages.error(request, "Choisissez un fichier à déposer.")
        return _back_to_staff(request, authority)
    batch = services.import_batch_create(
        request.user,
        form.cleaned_data["file"],
        authority=authority,
        create_authorities=form.cleaned_data.get("create_authorities", False),
    )
    tasks.preview_import.enqueue(batch.pk)
    return redirect("opendata_batch", pk=batch.pk)


def _back_to_staff(request, authority):
    response = redirect("opendata_staff")
    if request.user.is_platform_admin and authority:
        response["Location"] += f"?collectivite={authority.siren}"
    return response


def _batch(request, pk):
    return get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)


@grant_importer_required
def batch_detail(request, pk):
    batch = _batch(request, pk)
    kind = request.GET.get("etat")
    issues = batch.issues.all()
    if kind in ImportIssue.Kind.values:
        issues = issues.filter(kind=kind)
    context = {"batch": batch, "kind": kind, "labels": scdl.LABELS}
    if batch.status == ImportBatch.Status.NEEDS_MAPPING:
        try:
            headers = services.batch_headers(batch)
        except FileUnreadable as error:
            headers = []
            context["headers_error"] = str(error)
        context["mapping_form"] = ColumnMappingForm(
            headers=headers, initial_mapping=_initial_mapping(batch, headers)
        )
    context["page"] = paginate(request, issues, per_page=50)
    return render(request, "grants/opendata/batch_detail.html", context)


def _initial_mapping(batch, headers):
    mapping = {}
    for header in headers:
        column = scdl.KNOWN_NAMES.get(scdl.normalize_name(header))
        if column and column not in mapping:
            mapping[column] = header
    mapping.update(batch.column_mapping or {})
    return mapping


@grant_importer_required
@require_POST
def batch_mapping(request, pk):
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.NEEDS_MAPPING:
        messages.error(request, "Cet import n'attend pas de correspondance de colonnes.")
        return redirect("opendata_batch", pk=batch.pk)
    headers = services.batch_headers(batch)
    form = ColumnMappingForm(request.POST, headers=headers, initial_mapping={})
    if not form.is_valid():
        messages.error(request, "Choisissez, pour chaque colonne, un en-tête du fichier.")
        return redirect("opendata_batch", pk=batch.pk)
    services.import_batch_set_mapping(batch, form.mapping())
    tasks.preview_import.enqueue(batch.pk)
    return redirect("opendata_batch", pk=batch.pk)


@grant_importer_required
@require_POST
def batch_confirm(request, pk):
    batch = _batch(request, pk)
    if not services.import_batch_start_commit(batch):
        messages.error(request, "Cet import n'attend plus de choix.")
        return redirect("opendata_batch", pk=batch.pk)
    tasks.commit_import.enqueue(batch.pk)
    return redirect("opendata_batch", pk=batch.pk)


@grant_importer_required
@require_POST
def batch_cancel(request, pk):
    batch = _batch(request, pk)
    if batch.status not in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.NEEDS_MAPPING):
        messages.error(request, "Cet import ne peut plus être abandonné.")
        return redirect("opendata_batch", pk=batch.pk)
    services.import_batch_cancel(batch)
    messages.success(request, f"Rien n'a été importé de « {batch.original_name} ».")
    return _back_to_staff(request, batch.authority)
