from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from associations.bank import services
from associations.bank.forms import BankDetailsForm, RefuseForm
from associations.models import Association, BankDetails
from grants import access
from grants.access import staff_required
from grants.downloads import uploaded_file_response
from grants.pagination import paginate


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _visible_details(user, pk):
    return get_object_or_404(
        BankDetails.objects.visible_to(user).select_related(
            "association__authority", "requested_by", "decided_by"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bank_details_submit(request, pk):
    association = get_object_or_404(
        Association.objects.visible_to(request.user).select_related("authority"), pk=pk
    )
    if not access.can_submit_bank_details(request.user, association):
        raise PermissionDenied
    pending = BankDetails.objects.pending().filter(association=association).first()
    form = BankDetailsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_details_submit(
                association=association, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                "Les nouvelles coordonnées bancaires sont transmises : elles seront utilisées "
                "pour les versements dès que la collectivité les aura vérifiées sur le RIB.",
            )
            return redirect("association_detail", association.pk)
    ctx = {
        "association": association,
        "form": form,
        "pending": pending,
        "current": BankDetails.objects.in_force(association),
    }
    return render(request, "associations/bank/bank_details_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def bank_details_review(request, pk):
    """The pending change next to the details in force: validate it or refuse it."""
    details = _visible_details(request.user, pk)
    can_decide = details.status == BankDetails.Status.PENDING and access.can_validate_bank_details(
        request.user, details
    )
    if not access.can_see_full_bank_details(request.user, details.association):
        raise PermissionDenied
    form = RefuseForm(request.POST or None) if request.POST.get("action") == "refuse" else None
    errors = []
    if request.method == "POST":
        if not access.can_validate_bank_details(request.user, details):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "validate":
                services.bank_details_validate(details, request.user)
                messages.success(request, "Coordonnées bancaires validées : elles sont en vigueur.")
                return redirect("association_detail", details.association_id)
            if form is not None and form.is_valid():
                services.bank_details_refuse(details, request.user, **form.cleaned_data)
                messages.success(
                    request, "Coordonnées refusées : les précédentes restent en vigueur."
                )
                return redirect("association_detail", details.association_id)
        except ValidationError as error:
            if form is not None:
                _apply_errors(form, error)
            else:
                errors = error.messages
    ctx = {
        "details": details,
        "association": details.association,
        "current": BankDetails.objects.in_force(details.association),
        "can_decide": can_decide,
        "form": form or RefuseForm(),
        "errors": errors,
        "history": details.association.bank_details.select_related(
            "requested_by", "decided_by"
        ).order_by("-requested_at")[:50],
    }
    return render(request, "associations/bank/bank_details_review.html", ctx)


@login_required
def bank_details_rib(request, pk):
    details = _visible_details(request.user, pk)
    if not access.can_see_full_bank_details(request.user, details.association):
        raise PermissionDenied
    return uploaded_file_response(
        details.rib_file.open("rb"),
        filename=details.rib_name,
        content_type=details.rib_content_type,
    )


@staff_required
def bank_details_pending(request):
    """The changes staff have to check against the RIB, oldest first."""
    queryset = (
        BankDetails.objects.visible_to(request.user)
        .pending()
        .select_related("association", "requested_by")
        .order_by("requested_at", "pk")
    )
    page = paginate(request, queryset, count_queryset=queryset)
    return render(request, "associations/bank/pending_list.html", {"page": page})


def bank_context(user, association):
    """The association page's section: the details in force, the pending change, the last
    refusal (3 queries)."""
    rows = BankDetails.objects.filter(association=association)
    pending = rows.pending().select_related("requested_by").first()
    refused = rows.filter(status=BankDetails.Status.REFUSED).order_by("-decided_at").first()
    return {
        "bank_current": BankDetails.objects.in_force(association),
        "bank_pending": pending,
        "bank_refused": refused,
        "can_submit_bank": access.can_submit_bank_details(user, association),
        "can_validate_bank": pending is not None
        and access.can_validate_bank_details(user, pending),
    }
