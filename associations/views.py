from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from associations.bank.views import bank_context
from associations.filters import AssociationFilter
from associations.forms import AssociationForm, ContactForm, GovernanceChangeForm
from associations.models import Association
from associations.services import governance_change_record
from grants import access
from grants.access import instructor_required
from grants.audit.history import association_history
from grants.models import Authority, Grant
from grants.pagination import paginate


def _visible_association(user, pk):
    return get_object_or_404(Association.objects.visible_to(user), pk=pk)


@login_required
def association_list(request):
    queryset = Association.objects.visible_to(request.user).select_related(
        "structure_type", "authority"
    )
    association_filter = AssociationFilter(request.GET, queryset=queryset)
    filtered = association_filter.qs
    page = paginate(request, filtered.prefetch_related("domains"), count_queryset=filtered)
    ctx = {
        "filter": association_filter,
        "page": page,
        "show_authority": request.user.is_platform_admin,
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
    }
    return render(request, "associations/association_list.html", ctx)


@login_required
def association_detail(request, pk):
    association = get_object_or_404(
        Association.objects.visible_to(request.user).select_related("structure_type", "authority"),
        pk=pk,
    )
    grants = (
        Grant.objects.visible_to(request.user)
        .filter(association=association)
        .select_related("deliberation", "imported_record")
        .order_by("-year")
    )
    ctx = {
        "association": association,
        "domains": association.domains.all(),
        "grants": grants,
        "changes": association.governance_changes.select_related("recorded_by")[:50],
        "managers": association.managers.all() if request.user.is_staff_member else None,
        "can_edit": request.user.can_edit_associations,
        "can_invite": access.can_invite_manager(request.user, association),
        "can_edit_contact": request.user.is_manager,
        "can_record_change": request.user.can_edit_associations or request.user.is_manager,
        "history": association_history(request.user, association),
        **bank_context(request.user, association),
    }
    return render(request, "associations/association_detail.html", ctx)


class PlatformAssociationForm(AssociationForm):
    """A platform administrator also chooses the authority."""

    authority = forms.ModelChoiceField(label="Collectivité", queryset=Authority.objects.all())

    class Meta(AssociationForm.Meta):
        fields = ["authority", *AssociationForm.Meta.fields]


@instructor_required
@require_http_methods(["GET", "POST"])
def association_create(request):
    user = request.user
    form_class = PlatformAssociationForm if user.is_platform_admin else AssociationForm
    kwargs = {} if user.is_platform_admin else {"authority": user.authority}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        association = form.save()
        messages.success(request, f"L'association « {association} » a été créée.")
        return redirect(association)
    return render(
        request,
        "associations/association_form.html",
        {"form": form, "title": "Nouvelle association"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def association_edit(request, pk):
    association = _visible_association(request.user, pk)
    if request.user.can_edit_associations:
        form_class, title = AssociationForm, f"Modifier « {association} »"
    elif request.user.is_manager:
        form_class, title = ContactForm, f"Coordonnées de « {association} »"
    else:
        raise PermissionDenied
    form = form_class(request.POST or None, instance=association)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Les modifications ont été enregistrées.")
        return redirect(association)
    ctx = {"form": form, "title": title, "association": association}
    return render(request, "associations/association_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def governance_change_create(request, pk):
    association = _visible_association(request.user, pk)
    if not (request.user.can_edit_associations or request.user.is_manager):
        raise PermissionDenied
    form = GovernanceChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        governance_change_record(association=association, user=request.user, **form.cleaned_data)
        messages.success(request, "Le changement a été enregistré dans l'historique.")
        return redirect(association)
    ctx = {"form": form, "association": association, "title": "Déclarer un changement"}
    return render(request, "associations/governance_change_form.html", ctx)
