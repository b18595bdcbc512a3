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
from grants.access import can_invite_manager, staff_required
from grants.accounts.forms import InvitationForm
from grants.accounts.invitations import INVITATION_DAYS, invitation_token, manager_invite
from grants.models import Role, User


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
        return User.objects.get(pk=pk, role=Role.MANAGER, is_active=True)
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
