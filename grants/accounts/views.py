"""Invite an association's manager, and the page where the invited manager sets a password."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from associations.models import Association
from grants import access
from grants.access import can_invite_manager, role_required, staff_required
from grants.accounts import staff
from grants.accounts.forms import InvitationForm, StaffCreateForm, StaffRoleForm
from grants.accounts.invitations import INVITATION_DAYS, invitation_token, manager_invite
from grants.models import Role, User
from grants.pagination import paginate

staff_manager_required = role_required(lambda user: access.can_manage_staff(user))


@staff_required
@require_http_methods(["GET", "POST"])
def invite_manager(request, pk):
    association = get_object_or_404(Association.objects.visible_to(request.user), pk=pk)
    if not can_invite_manager(request.user, association):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = manager_invite(
                user=request.user, association=association, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Invitation envoyée à {invited.email} : le lien est valable {INVITATION_DAYS} "
                "jours et ne sert qu'une fois.",
            )
            return redirect(association)
    ctx = {"form": form, "association": association, "days": INVITATION_DAYS}
    return render(request, "grants/accounts/invite_form.html", ctx)


def _invited_user(uidb64):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        # Invited managers and the staff accounts an authority administrator opens.
        return User.objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64, token):
    invited = _invited_user(uidb64)
    if invited is None or not invitation_token.check_token(invited, token):
        return render(request, "grants/accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(invited, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(
            request, invited, backend="conventions.notifications.backends.NotificationCountBackend"
        )
        messages.success(request, "Votre mot de passe est enregistré : bienvenue.")
        return redirect("home")
    return render(
        request, "grants/accounts/invitation_accept.html", {"form": form, "invited": invited}
    )


# ---- the authority administrator's staff accounts ------------------------------------------


def _staff_accounts(user):
    return User.objects.filter(authority_id=user.authority_id).exclude(role=Role.MANAGER)


def _apply(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@staff_manager_required
def staff_list(request):
    accounts = _staff_accounts(request.user).order_by("-is_active", "last_name", "username")
    page = paginate(request, accounts, count_queryset=accounts)
    return render(request, "grants/accounts/staff_list.html", {"page": page})


@staff_manager_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = staff.staff_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                f"Compte ouvert : un lien pour choisir le mot de passe est envoyé à "
                f"{account.email} (valable {INVITATION_DAYS} jours, une seule fois).",
            )
            return redirect("staff_list")
    return render(request, "grants/accounts/staff_form.html", {"form": form})


@staff_manager_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    account = get_object_or_404(_staff_accounts(request.user), pk=pk)
    own = account.pk == request.user.pk
    form = StaffRoleForm(
        request.POST if request.POST.get("action") == "role" else None,
        initial={"role": account.role},
    )
    errors = []
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "role" and form.is_valid():
                staff.staff_change_role(
                    user=request.user, account=account, role=form.cleaned_data["role"]
                )
                messages.success(request, f"Rôle de {account} : {account.get_role_display()}.")
                return redirect("staff_list")
            if action in {"deactivate", "reactivate"}:
                staff.staff_set_active(
                    user=request.user, account=account, active=action == "reactivate"
                )
                state = "réactivé" if account.is_active else "désactivé"
                messages.success(request, f"Compte de {account} {state}.")
                return redirect("staff_list")
        except ValidationError as error:
            errors = error.messages
    ctx = {"account": account, "form": form, "own": own, "errors": errors}
    return render(request, "grants/accounts/staff_edit.html", ctx)
