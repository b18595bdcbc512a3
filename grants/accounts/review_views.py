"""Staff decide the requests to manage an association of their authority ("Demandes d'accès")."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from grants.access import can_review_access_request, instructor_required
from grants.accounts import access_requests
from grants.accounts.filters import AccessRequestFilter
from grants.accounts.forms import RefuseAccessForm
from grants.models import AssociationAccessRequest, Role, User
from grants.pagination import paginate


def _with_managers(queryset):
    managers = User.objects.filter(role=Role.MANAGER, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    return queryset.select_related(
        "user", "association", "authority", "decided_by"
    ).prefetch_related(
        Prefetch("association__managers", queryset=managers, to_attr="current_managers")
    )


@instructor_required
def access_request_list(request):
    """The pending requests first (oldest first), with who already manages the association.
    A fixed number of queries whatever the number of requests."""
    queryset = AssociationAccessRequest.objects.visible_to(request.user)
    request_filter = AccessRequestFilter(request.GET, queryset=queryset)
    filtered = request_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("created_at", "pk")
    page = paginate(request, _with_managers(filtered), count_queryset=filtered)
    ctx = {
        "filter": request_filter,
        "page": page,
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "grants/accounts/access_request_list.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def access_request_review(request, pk):
    """The request, what accepting gives, and the two decisions (refusing needs a reason)."""
    access_request = get_object_or_404(
        _with_managers(AssociationAccessRequest.objects.visible_to(request.user)), pk=pk
    )
    if not can_review_access_request(request.user, access_request):
        raise PermissionDenied
    action = request.POST.get("action")
    refuse_form = RefuseAccessForm(request.POST if action == "refuse" else None)
    errors = []
    if request.method == "POST":
        try:
            if action == "accept":
                access_requests.access_request_accept(
                    user=request.user, access_request=access_request
                )
                messages.success(
                    request,
                    f"Accès accepté : {access_request.user} gère désormais "
                    f"« {access_request.association.name} » ; la personne est prévenue.",
                )
                return redirect("access_request_list")
            if action == "refuse" and refuse_form.is_valid():
                access_requests.access_request_refuse(
                    user=request.user,
                    access_request=access_request,
                    reason=refuse_form.cleaned_data["reason"],
                )
                messages.success(
                    request,
                    f"Demande de {access_request.user} refusée ; le motif lui est transmis.",
                )
                return redirect("access_request_list")
            if action not in {"accept", "refuse"}:
                errors = ["Choisissez d'accepter ou de refuser la demande."]
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                refuse_form.add_error("reason", error.error_dict["reason"])
            else:
                errors = error.messages
    ctx = {"access_request": access_request, "refuse_form": refuse_form, "errors": errors}
    return render(request, "grants/accounts/access_request_review.html", ctx)
