"""Justificatif pages: each convention's pieces (upload by the association's managers), the
download view (the only way to a file), and the staff review queue.

Every view starts from a `visible_to(user)` queryset: another authority's or another
association's convention or piece answers 404. Roles that may see but not act get 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from conventions.justificatifs import due, services
from conventions.justificatifs.filters import JustificatifFilter
from conventions.justificatifs.forms import JustificatifUploadForm, ReviewForm
from conventions.models import Convention, Justificatif
from conventions.multiyear import default_justificatif_year
from grants import access
from grants.access import staff_required
from grants.downloads import uploaded_file_response
from grants.pagination import paginate


def _visible_convention(user, pk):
    if not (user.is_staff_member or user.is_manager):
        raise PermissionDenied
    return get_object_or_404(Convention.objects.visible_to(user).with_parties(), pk=pk)


def _error_messages(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


@login_required
def justificatif_list(request, pk):
    convention = _visible_convention(request.user, pk)
    # A CPO owes its pieces every year: one year at a time (?annee=), by default the earliest
    # one not fully justified; an annual convention has its one year.
    years = convention.years if convention.is_multi_year else []
    year = convention.year
    if years:
        year = default_justificatif_year(convention)
        try:
            chosen = int(request.GET.get("annee") or year)
        except ValueError:
            chosen = year
        year = chosen if chosen in years else year
    rows = due.kind_rows(convention, year if years else None)
    today = timezone.localdate()
    due_date = convention.justificatifs_due_date_for(year)
    ctx = {
        "convention": convention,
        "years": years,
        "year": year,
        "required_rows": [row for row in rows if row.required],
        "optional_rows": [row for row in rows if not row.required],
        "due_date": due_date,
        "days_left": (due_date - today).days,
        "days_overdue": (today - due_date).days,
        "is_past_due": due_date < today,
        "can_upload": access.can_upload(request.user, convention)
        and convention.status in due.UPLOAD_STATUSES,
        "is_manager": access.can_upload(request.user, convention),
        "can_review": access.can_review(request.user, convention),
        "upload_open": convention.status in due.UPLOAD_STATUSES,
        "all_accepted": all(row.state == "accepted" for row in rows if row.required),
    }
    return render(request, "conventions/justificatifs/list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def justificatif_upload(request, pk, kind):
    convention = _visible_convention(request.user, pk)
    if kind not in Justificatif.Kind.values:
        raise Http404
    if not access.can_upload(request.user, convention):
        raise PermissionDenied
    formats = due.formats_label(kind)
    years = convention.years if convention.is_multi_year else None
    year = convention.year
    if years:
        year = default_justificatif_year(convention)
        try:
            chosen = int(request.POST.get("year") or request.GET.get("annee") or year)
        except ValueError:
            chosen = year
        year = chosen if chosen in years else year
    form = JustificatifUploadForm(
        request.POST or None,
        request.FILES or None,
        formats=formats,
        years=years,
        initial={"year": year},
    )
    current = convention.justificatifs.filter(kind=kind, year=year, is_current=True).first()
    if request.method == "POST" and form.is_valid():
        try:
            services.justificatif_upload(
                user=request.user,
                convention=convention,
                kind=kind,
                upload=form.cleaned_data["file"],
                year=form.cleaned_data.get("year", year),
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error("file", message)
        else:
            messages.success(
                request,
                f"« {Justificatif.Kind(kind).label} » est déposé : "
                f"{convention.authority.display_name} va l'examiner.",
            )
            return redirect("justificatif_list", convention.pk)
    ctx = {
        "convention": convention,
        "form": form,
        "kind": kind,
        "label": Justificatif.Kind(kind).label,
        "help": due.KIND_HELP[kind],
        "current": current,
        "due_date": convention.justificatifs_due_date_for(year),
        "year": year if years else None,
        "required": kind in convention.required_justificatif_kinds,
        "upload_open": convention.status in due.UPLOAD_STATUSES,
        "already_accepted": current is not None and current.status == Justificatif.Status.ACCEPTED,
    }
    return render(request, "conventions/justificatifs/upload.html", ctx)


@login_required
def justificatif_download(request, pk, justificatif_pk):
    """The only way to a justificatif's file: the convention must be visible to the user."""
    convention = _visible_convention(request.user, pk)
    justificatif = get_object_or_404(
        Justificatif.objects.filter(convention=convention), pk=justificatif_pk
    )
    if not justificatif.file:
        raise Http404
    try:
        handle = justificatif.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Fichier introuvable.") from None
    return uploaded_file_response(
        handle, filename=justificatif.display_name, content_type=justificatif.content_type
    )


# ---- staff review ----------------------------------------------------------------------------


@staff_required
def justificatif_queue(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = Justificatif.Status.SUBMITTED
    queryset = Justificatif.objects.visible_to(request.user).filter(is_current=True)
    queue_filter = JustificatifFilter(data, queryset=queryset, user=request.user)
    filtered = queue_filter.qs
    if not data.get("ordering"):
        filtered = filtered.order_by("uploaded_at", "pk")
    rows = filtered.select_related(
        "convention__association", "convention__authority", "uploaded_by"
    )
    page = paginate(request, rows, count_queryset=filtered)
    today = timezone.localdate()
    for justificatif in page.object_list:
        justificatif.is_late = _is_late(justificatif, today)
    ctx = {
        "filter": queue_filter,
        "page": page,
        "today": today,
        "show_authority": request.user.is_platform_admin,
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        "can_review": request.user.can_instruct,
    }
    return render(request, "conventions/justificatifs/queue.html", ctx)


def _is_late(justificatif, today):
    if justificatif.due_date is None:
        return False
    uploaded_on = timezone.localdate(justificatif.uploaded_at)
    if uploaded_on > justificatif.due_date:
        return True
    return justificatif.status != Justificatif.Status.ACCEPTED and justificatif.due_date < today


@login_required
@require_http_methods(["GET", "POST"])
def justificatif_review(request, justificatif_pk):
    justificatif = get_object_or_404(
        Justificatif.objects.visible_to(request.user).select_related(
            "convention__association", "convention__authority", "uploaded_by", "reviewed_by"
        ),
        pk=justificatif_pk,
    )
    convention = justificatif.convention
    if not access.can_review(request.user, convention):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                services.justificatif_accept(user=request.user, justificatif=justificatif)
                messages.success(
                    request,
                    f"« {justificatif.get_kind_display()} » est accepté ; l'association en est "
                    "informée.",
                )
            else:
                services.justificatif_reject(
                    user=request.user, justificatif=justificatif, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    f"« {justificatif.get_kind_display()} » est refusé ; l'association reçoit le "
                    "motif.",
                )
        except ValidationError as error:
            errors = _error_messages(error)
        else:
            return redirect("justificatif_queue")
    history = (
        convention.justificatifs.filter(kind=justificatif.kind)
        .exclude(pk=justificatif.pk)
        .select_related("uploaded_by", "reviewed_by")
        .order_by("-uploaded_at")
    )
    ctx = {
        "justificatif": justificatif,
        "convention": convention,
        "form": form,
        "errors": errors,
        "history": history,
        "is_late": _is_late(justificatif, timezone.localdate()),
        "reviewable": justificatif.is_current
        and justificatif.status == Justificatif.Status.SUBMITTED,
    }
    return render(request, "conventions/justificatifs/review.html", ctx)
