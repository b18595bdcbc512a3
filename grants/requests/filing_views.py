"""Pages of the association's filing: « Mes demandes », a new request, the eight steps of the
Cerfa 12156*06 (each saved as it goes, also in the background), the budgets, the deposit.

Every page starts from `SubsidyRequest.objects.visible_to(user)`: another association's request
answers 404 whatever URL is typed; staff never see a draft (404). Writes are the services of
filing.py, which check the predicates again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from associations.models import Association
from grants.access import can_edit_request, can_file_request
from grants.requests import filing, rules
from grants.requests.filing_forms import CER_TEXT
from grants.requests.models import Campaign, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import request_create

MINE_SHOWN = 200


def detail_url(subsidy_request):
    """The request's page (request_detail), or its summary step until that page exists."""
    try:
        return reverse("request_detail", args=[subsidy_request.pk])
    except NoReverseMatch:
        return reverse("request_step", args=[subsidy_request.pk, "recapitulatif"])


def _visible_request(user, pk):
    return get_object_or_404(
        SubsidyRequest.objects.visible_to(user).select_related(
            "campaign__scheme", "association", "authority"
        ),
        pk=pk,
    )


def _editable_request(user, pk):
    subsidy_request = _visible_request(user, pk)
    if not can_edit_request(user, subsidy_request):
        raise PermissionDenied("Cette demande ne peut pas être modifiée.")
    return subsidy_request


def _messages(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


# ---- « Mes demandes » ---------------------------------------------------------------------


def open_campaigns(user, associations, today=None):
    """The open campaigns of the authorities of the user's associations."""
    today = today or timezone.localdate()
    authorities = {a.authority_id for a in associations}
    return list(
        Campaign.objects.filter(
            authority_id__in=authorities,
            opens_on__lte=today,
            closes_on__gte=today,
            scheme__is_active=True,
        )
        .select_related("scheme", "authority")
        .order_by("closes_on", "pk")
    )


@login_required
def request_list_mine(request):
    if not request.user.is_manager:
        raise PermissionDenied
    associations = list(Association.objects.visible_to(request.user).order_by("name"))
    requests = list(
        SubsidyRequest.objects.visible_to(request.user)
        .select_related("campaign__scheme", "association")
        .order_by("-created_at", "-pk")[:MINE_SHOWN]
    )
    for item in requests:
        item.can_edit = item.status in rules.EDITABLE_BY_ASSOCIATION
    ctx = {
        "requests": requests,
        "campaigns": open_campaigns(request.user, associations),
        "associations": associations,
    }
    if not associations:
        # A new account (signed up, not yet attached): no request can start before its
        # association is attached, so the page says so and leads there.
        from grants.views import manager_access_context

        ctx.update(manager_access_context(request.user, associations))
    return render(request, "grants/requests/list_mine.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request, campaign_pk):
    """« Nouvelle demande »: the association chosen (if the user manages several of the
    campaign's authority), then the draft created and its first step opened."""
    if not request.user.is_manager:
        raise PermissionDenied
    associations = list(Association.objects.visible_to(request.user).order_by("name"))
    authorities = {a.authority_id for a in associations}
    campaign = get_object_or_404(
        Campaign.objects.filter(authority_id__in=authorities).select_related("scheme"),
        pk=campaign_pk,
    )
    choices = [a for a in associations if a.authority_id == campaign.authority_id]
    existing = list(
        SubsidyRequest.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("association")
    )
    errors = []
    if request.method == "POST":
        chosen = next(
            (a for a in choices if str(a.pk) == request.POST.get("association", "")), None
        )
        if chosen is None and len(choices) == 1:
            chosen = choices[0]
        if chosen is None:
            errors.append("Choisissez l'association pour laquelle vous déposez la demande.")
        else:
            try:
                created = request_create(user=request.user, campaign=campaign, association=chosen)
            except (ValidationError, PermissionDenied) as error:
                errors += _messages(error)
            else:
                messages.success(
                    request,
                    "Demande créée : chaque champ est enregistré au fur et à mesure, vous "
                    "pouvez la quitter et la reprendre à tout moment.",
                )
                return redirect("request_step", created.pk, filing.FIRST_STEP)
    ctx = {"campaign": campaign, "choices": choices, "existing": existing, "errors": errors}
    return render(request, "grants/requests/new.html", ctx)


# ---- the steps -----------------------------------------------------------------------------


@login_required
def request_resume(request, pk):
    subsidy_request = _visible_request(request.user, pk)
    if not can_edit_request(request.user, subsidy_request):
        return redirect(detail_url(subsidy_request))
    step = filing.resume_step(subsidy_request)
    return redirect("request_step", subsidy_request.pk, step.slug)


def _step_context(request, subsidy_request, step, form):
    association = subsidy_request.association
    ctx = {
        "subsidy_request": subsidy_request,
        "association": association,
        "campaign": subsidy_request.campaign,
        "step": step,
        "steps": filing.STEPS,
        "next_step": filing.next_step(step),
        "previous_step": filing.STEPS[step.number - 2] if step.number > 1 else None,
        "form": form,
        "autosave_url": reverse("request_step_autosave", args=[subsidy_request.pk, step.slug]),
    }
    if step.slug == "montant":
        ctx["cer_text"] = CER_TEXT
    if step.slug == "budgets":
        ctx["budgets"] = [
            {
                "which": which,
                "label": label,
                "budget": budget,
                "problems": filing.budget_problems(budget, label) if budget else [],
                "existing_forecast": which == filing.YEARLY
                and budget is None
                and association.budgets.filter(
                    year=subsidy_request.campaign.year, kind="previsionnel"
                ).exists(),
            }
            for which, label, budget in filing.request_budgets(subsidy_request)
        ]
        ctx["back_url"] = request.path
    if step.slug in ("pieces", "recapitulatif"):
        ctx["pieces"] = filing.request_pieces(subsidy_request)
        # The upload of a missing piece comes back to this step (not to « Mes documents »).
        ctx["back_url"] = request.path
    if step.slug == "recapitulatif":
        ctx["missing"] = filing.missing_items(subsidy_request, pieces=ctx["pieces"])
        ctx["is_resubmission"] = subsidy_request.status == Status.TO_COMPLETE
    return ctx


@login_required
@require_http_methods(["GET", "POST"])
def request_step(request, pk, step):
    subsidy_request = _visible_request(request.user, pk)
    current = filing.step_of(step)
    if current is None:
        raise Http404
    if not can_edit_request(request.user, subsidy_request):
        if request.method == "POST":
            raise PermissionDenied("Cette demande ne peut plus être modifiée.")
        messages.info(request, "Cette demande est déposée : elle ne se modifie plus.")
        return redirect(detail_url(subsidy_request))
    if request.method == "POST":
        following = filing.next_step(current)
        result = filing.request_save_step(
            user=request.user,
            subsidy_request=subsidy_request,
            step=current,
            data=request.POST,
            reached=following,
        )
        if not result.errors and following is not None:
            return redirect("request_step", subsidy_request.pk, following.slug)
        if not result.errors:
            return redirect("request_step", subsidy_request.pk, current.slug)
        form = filing.step_form(current, subsidy_request, data=request.POST)
        form.is_valid()
    else:
        form = filing.step_form(current, subsidy_request)
    ctx = _step_context(request, subsidy_request, current, form)
    return render(request, "grants/requests/step.html", ctx)


@require_POST
def request_step_autosave(request, pk, step):
    """The background save of a step (request_autosave.js): JSON, never a redirect, so that a
    session that expired answers 403 and the page keeps what was typed."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": "Vous avez été déconnecté : reconnectez-vous, rien n'est perdu."},
            status=403,
        )
    current = filing.step_of(step)
    queryset = SubsidyRequest.objects.visible_to(request.user)
    subsidy_request = queryset.select_related("campaign__scheme", "association").filter(pk=pk)
    subsidy_request = subsidy_request.first()
    if subsidy_request is None or current is None:
        return JsonResponse({"error": "Demande introuvable."}, status=404)
    if not can_edit_request(request.user, subsidy_request):
        return JsonResponse(
            {"error": "Cette demande est déposée : elle ne se modifie plus."}, status=403
        )
    result = filing.request_save_step(
        user=request.user, subsidy_request=subsidy_request, step=current, data=request.POST
    )
    return JsonResponse(
        {
            "saved": True,
            "saved_at": f"{result.saved_at:%H:%M}",
            "errors": result.errors,
        }
    )


@login_required
@require_POST
def request_budget(request, pk, which):
    """Step 4: link (creating it if needed) the yearly or the project budget, then type it on
    the budget page, which comes back to the step."""
    subsidy_request = _editable_request(request.user, pk)
    if which not in (filing.YEARLY, filing.PROJECT):
        raise Http404
    try:
        budget = filing.request_budget_link(
            user=request.user, subsidy_request=subsidy_request, which=which
        )
    except ValidationError as error:
        for text in _messages(error):
            messages.error(request, text)
        return redirect("request_step", subsidy_request.pk, "budgets")
    back = reverse("request_step", args=[subsidy_request.pk, "budgets"])
    return redirect(f"{reverse('budget_edit', args=[budget.pk])}?retour={back}")


@login_required
@require_POST
def request_submit(request, pk):
    subsidy_request = _visible_request(request.user, pk)
    if not can_file_request(request.user, subsidy_request.association):
        raise PermissionDenied
    try:
        filing.request_submit(user=request.user, subsidy_request=subsidy_request)
    except ValidationError as error:
        for text in _messages(error):
            messages.error(request, text)
        if subsidy_request.status in rules.EDITABLE_BY_ASSOCIATION:
            return redirect("request_step", subsidy_request.pk, "recapitulatif")
        return redirect(detail_url(subsidy_request))
    messages.success(
        request,
        f"Votre demande {subsidy_request.reference} est déposée (version "
        f"{subsidy_request.version}) : {subsidy_request.authority.display_name} en accuse "
        "réception par notification.",
    )
    return redirect(detail_url(subsidy_request))


def in_progress(user):
    """The manager home's card: their associations' requests still to finish or to correct."""
    return list(
        SubsidyRequest.objects.visible_to(user)
        .filter(Q(status=Status.DRAFT) | Q(status=Status.TO_COMPLETE))
        .select_related("campaign__scheme", "association")
        .order_by("-updated_at")[:10]
    )
