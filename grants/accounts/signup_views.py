"""The pages of a person who opens an account for their association: sign-up, "check your
mailbox" (and send the link again), the confirmation link, then "Rattacher mon association"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from grants import access
from grants.access import role_required
from grants.accounts import access_requests, signup
from grants.accounts.forms import AssociationCreateForm, AttachForm, SignupForm, SignupResendForm
from grants.models import AccountSignup, Authority, User

attach_required = role_required(access.can_attach_association)
SESSION_EMAIL = "signup_email"


def _apply(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
def signup_view(request, siren):
    authority = get_object_or_404(Authority, siren=siren)
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _ = signup.account_signup(
                authority=authority,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            request.session[SESSION_EMAIL] = user.email
            return redirect("signup_sent")
    ctx = {"form": form, "authority": authority, "days": signup.SIGNUP_DAYS}
    return render(request, "grants/accounts/signup_form.html", ctx)


def signup_sent(request):
    """'Check your mailbox', with the form that sends the link again."""
    if request.user.is_authenticated:
        return redirect("home")
    email = request.session.get(SESSION_EMAIL, "")
    form = SignupResendForm(initial={"email": email})
    ctx = {"email": email, "form": form, "days": signup.SIGNUP_DAYS}
    return render(request, "grants/accounts/signup_sent.html", ctx)


@require_http_methods(["GET", "POST"])
def signup_resend(request):
    """Send the link again. The answer is the same whether or not the email has an account
    waiting for its confirmation (only the person who signed up in this browser is told to
    wait a minute)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupResendForm(
        request.POST or None, initial={"email": request.session.get(SESSION_EMAIL, "")}
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        sent = signup.signup_resend(email=email)
        if not sent and email == request.session.get(SESSION_EMAIL):
            messages.warning(
                request,
                "Un lien vous a été envoyé il y a moins d'une minute : attendez un peu avant "
                "d'en demander un autre, et regardez aussi dans vos courriels indésirables.",
            )
        else:
            messages.success(
                request,
                f"Si un compte attend sa confirmation à l'adresse {email}, un nouveau lien "
                f"vient d'y être envoyé (valable {signup.SIGNUP_DAYS} jours).",
            )
        request.session[SESSION_EMAIL] = email
        return redirect("signup_sent")
    return render(request, "grants/accounts/signup_resend.html", {"form": form})


def _signed_up_user(uidb64):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.select_related("signup__authority").get(pk=pk, is_active=False)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64, token):
    """The link of the email. GET shows a button (a mail scanner that opens the link does not
    confirm, nor log in); POST activates the account and logs the person in."""
    person = _signed_up_user(uidb64)
    if person is None or not signup.signup_token.check_token(person, token):
        form = SignupResendForm()
        ctx = {"form": form, "days": signup.SIGNUP_DAYS}
        return render(request, "grants/accounts/signup_invalid.html", ctx, status=400)
    if request.method == "POST":
        try:
            person = signup.signup_confirm(user=person, token=token)
        except ValidationError:
            ctx = {"form": SignupResendForm(), "days": signup.SIGNUP_DAYS}
            return render(request, "grants/accounts/signup_invalid.html", ctx, status=400)
        login(
            request, person, backend="conventions.notifications.backends.NotificationCountBackend"
        )
        request.session.pop(SESSION_EMAIL, None)
        messages.success(
            request,
            "Votre adresse est confirmée : bienvenue. Rattachez maintenant votre association.",
        )
        signup_row = AccountSignup.objects.filter(user=person).select_related("authority").first()
        if signup_row is not None:
            return redirect("association_attach", siren=signup_row.authority.siren)
        return redirect("association_attach_start")
    return render(request, "grants/accounts/signup_confirm.html", {"person": person})


# ---- "Rattacher mon association" ------------------------------------------------------------


@attach_required
def association_attach_start(request):
    """Which authority's association: the one the person signed up with first."""
    authorities = Authority.objects.order_by("name")
    signed_up = AccountSignup.objects.filter(user=request.user).values_list(
        "authority_id", flat=True
    )
    ctx = {"authorities": authorities, "signed_up": set(signed_up)}
    return render(request, "grants/accounts/attach_start.html", ctx)


@attach_required
@require_http_methods(["GET", "POST"])
def association_attach(request, siren):
    authority = get_object_or_404(Authority, siren=siren)
    form = AttachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siren_typed, rna = form.cleaned_data["siren"], form.cleaned_data["rna"]
        try:
            access_request = access_requests.access_request_create(
                user=request.user, authority=authority, siren=siren_typed, rna=rna
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            if access_request is None:
                query = urlencode({k: v for k, v in (("siren", siren_typed), ("rna", rna)) if v})
                url = reverse("association_attach_create", args=[authority.siren])
                return redirect(f"{url}?{query}")
            messages.success(
                request,
                f"Demande envoyée : {authority.name} connaît « {access_request.association.name} » "
                "et doit valider votre accès. Vous serez prévenu par courriel.",
            )
            return redirect("home")
    pending = (
        request.user.access_requests.pending()
        .filter(authority=authority)
        .select_related("association")
    )
    ctx = {"form": form, "authority": authority, "pending": pending}
    return render(request, "grants/accounts/attach_form.html", ctx)


@attach_required
@require_http_methods(["GET", "POST"])
def association_attach_create(request, siren):
    """The authority does not know the association: the person creates it."""
    authority = get_object_or_404(Authority, siren=siren)
    initial = {key: request.GET.get(key, "")[:20] for key in ("siren", "rna")}
    form = AssociationCreateForm(request.POST or None, initial=initial, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            association = access_requests.association_create_by_manager(
                user=request.user, authority=authority, form=form
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                f"« {association.name} » est créée et votre compte en est le gestionnaire. "
                f"{authority.name} en est informée.",
            )
            return redirect(association)
    ctx = {"form": form, "authority": authority}
    return render(request, "grants/accounts/attach_create.html", ctx)
