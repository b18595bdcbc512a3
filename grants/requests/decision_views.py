"""Pages from the proposals to the decision: « Préparer la délibération » of a campaign, the
conventions and letters of a deliberation's voted requests, and the refusal letter of a request.

Every page starts from a `visible_to(user)` queryset (another authority's campaign, request or
deliberation answers 404); writes are the instructors' (403 for the other roles).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from deliberations.models import Deliberation
from grants.access import (
    can_download_refusal_letter,
    can_generate_convention_pdfs,
    can_propose_deliberation,
    instructor_required,
    require,
)
from grants.downloads import generated_file_response
from grants.requests import decisions, documents, refusal
from grants.requests.decision_forms import DeliberationFromRequestsForm
from grants.requests.models import Campaign, SubsidyRequest


def _selected_ids(request):
    ids = []
    for value in request.POST.getlist("demandes"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@instructor_required
@require_http_methods(["GET", "POST"])
def campaign_deliberation_prepare(request, pk):
    """The campaign's instructed requests, all checked, their proposed amounts and the total
    against the envelope; confirm → the draft deliberation with one grant per request."""
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("scheme", "authority"), pk=pk
    )
    require(
        can_propose_deliberation(request.user, campaign),
        "Seuls les agents instructeurs de la collectivité préparent ses délibérations.",
    )
    proposals = list(decisions.campaign_proposals(campaign))
    data = request.POST if request.method == "POST" else None
    form = DeliberationFromRequestsForm(data, campaign=campaign, today=timezone.localdate())
    selected = (
        set(_selected_ids(request))
        if request.method == "POST"
        else {r.pk for r in proposals if r.proposed_amount}
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            deliberation = decisions.deliberation_create_from_requests(
                request.user,
                campaign,
                _selected_ids(request),
                cleaned["kind"],
                cleaned["number"],
                cleaned["title"],
                body_name=cleaned.get("body_name") or "",
                session_date=cleaned.get("session_date"),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            count = deliberation.grants.count()
            messages.success(
                request,
                f"Le projet de délibération n° {deliberation.number} est créé avec {count} "
                f"subvention{'s' if count > 1 else ''} : complétez-le, puis saisissez le vote.",
            )
            return redirect(deliberation)
    total = sum((r.proposed_amount or 0) for r in proposals if r.pk in selected)
    summary = decisions.proposals_summary(campaign)
    ctx = {
        "campaign": campaign,
        "proposals": proposals,
        "selected": selected,
        "form": form,
        "errors": errors,
        "summary": summary,
        "elsewhere_amount": summary["voted_amount"] + summary["pending_amount"],
        "selected_total": total,
    }
    return render(request, "grants/requests/deliberation_prepare.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def deliberation_request_documents(request, pk):
    """The checklist of what the job will produce, then « Générer les conventions et lettres »."""
    deliberation = get_object_or_404(
        Deliberation.objects.visible_to(request.user).select_related("authority", "session"),
        pk=pk,
    )
    require(can_generate_convention_pdfs(request.user, deliberation))
    if request.method == "POST":
        try:
            job, created = documents.documents_start(user=request.user, deliberation=deliberation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("deliberation_request_documents", deliberation.pk)
        if not created:
            messages.info(request, "Cette génération est déjà demandée : en voici l'avancement.")
        return redirect(job)
    ctx = {
        "deliberation": deliberation,
        "plan": documents.documents_plan(deliberation),
        "job": documents.documents_job_of(deliberation),
    }
    return render(request, "grants/requests/deliberation_documents.html", ctx)


def _visible_request(request, pk):
    return get_object_or_404(
        SubsidyRequest.objects.visible_to(request.user).select_related(
            "association", "authority", "campaign__scheme"
        ),
        pk=pk,
    )


@instructor_required
@require_POST
def request_refusal_letter_generate(request, pk):
    subsidy_request = _visible_request(request, pk)
    try:
        job, created = refusal.refusal_letter_start(
            subsidy_request=subsidy_request, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(subsidy_request)
    if not created:
        messages.info(request, "Cette lettre est déjà en préparation : en voici l'avancement.")
    return redirect(job)


@login_required
def request_refusal_letter_download(request, pk):
    subsidy_request = _visible_request(request, pk)
    require(can_download_refusal_letter(request.user, subsidy_request))
    if not subsidy_request.refusal_letter:
        raise Http404("La lettre de refus n'est pas encore générée.")
    try:
        handle = subsidy_request.refusal_letter.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    reference = subsidy_request.reference or subsidy_request.pk
    return generated_file_response(handle, filename=f"lettre-refus-{reference}.pdf")
