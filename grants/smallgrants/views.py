"""Pages of a grant of 23 000 € or less: its notification letter, its versement unique and its
compte rendu financier. Every page starts from `Grant.objects.visible_to(user)` (another
authority's or association's grant answers 404); the predicates of grants.access answer 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from grants import access
from grants.finance.views import _apply_errors
from grants.models import Commitment, FinancialReport, Grant, NotificationLetter, Payment
from grants.smallgrants import jobs, services
from grants.smallgrants.forms import FinancialReportForm, LetterForm, SinglePaymentForm


def _visible_grant(user, pk):
    return get_object_or_404(
        Grant.objects.visible_to(user).select_related(
            "authority", "association", "deliberation__session__body"
        ),
        pk=pk,
    )


def _letter(grant):
    return NotificationLetter.objects.filter(grant=grant).select_related("generated_by").first()


@login_required
def small_grant_detail(request, pk):
    user = request.user
    grant = _visible_grant(user, pk)
    letter = _letter(grant)
    if user.is_manager and (letter is None or not letter.pdf_file):
        # The association learns of its grant from the notified decision.
        letter = None
    payments = list(
        Payment.objects.filter(grant=grant)
        .select_related(
            "requested_by", "certified_by", "ordered_by", "rejected_by", "commitment__budget_line"
        )
        .order_by("requested_at")
    )
    live = next((p for p in payments if p.is_live), None)
    commitment = (
        Commitment.objects.filter(grant=grant).select_related("budget_line").first()
        if user.is_staff_member
        else None
    )
    report = FinancialReport.objects.filter(grant=grant).first()
    can_request = access.can_request_single_payment(user, grant)
    payment_blockers = services.single_payment_blockers(grant, letter) if can_request else []
    deliberation_blockers = services.deliberation_blockers(grant)
    if not user.is_staff_member:
        # The deliberation and the letter's generation are staff pages: no link to them.
        payment_blockers = [services.Blocker(b.message) for b in payment_blockers]
        deliberation_blockers = [services.Blocker(b.message) for b in deliberation_blockers]
    ctx = {
        "grant": grant,
        "deliberation": grant.deliberation,
        "deliberation_blockers": deliberation_blockers,
        "letter": letter,
        "letter_form": LetterForm() if access.can_notify_grant(user, grant) else None,
        "letter_job": jobs.letter_job_of(grant) if user.is_staff_member else None,
        "letter_blockers": services.letter_blockers(grant),
        "payments": payments,
        "live_payment": live,
        "commitment": commitment,
        "can_request": can_request,
        "payment_blockers": payment_blockers,
        "can_certify": access.can_certify(user, grant),
        "can_order": access.can_order(user, grant),
        "can_commit": access.can_manage_budget(user, grant.authority_id),
        "report": report,
        "can_upload_report": access.can_upload_financial_report(user, grant)
        and grant.specific_expense,
        "report_form": FinancialReportForm(),
    }
    return render(request, "grants/smallgrants/detail.html", ctx)


@login_required
@require_POST
def letter_generate(request, pk):
    grant = _visible_grant(request.user, pk)
    if not access.can_notify_grant(request.user, grant):
        raise PermissionDenied
    form = LetterForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("small_grant_detail", grant.pk)
    try:
        job, created = jobs.enqueue_letter(grant=grant, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("small_grant_detail", grant.pk)
    if not created:
        messages.info(
            request, "La génération de cette lettre est déjà demandée : en voici l'avancement."
        )
    return redirect(job)


@login_required
def letter_download(request, pk):
    grant = _visible_grant(request.user, pk)
    letter = _letter(grant)
    if letter is None or not letter.pdf_file:
        raise Http404("La lettre n'est pas encore générée.")
    try:
        handle = letter.pdf_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Fichier introuvable.") from None
    response = FileResponse(
        handle, filename=f"{letter.reference}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def single_payment_request(request, pk):
    user = request.user
    grant = _visible_grant(user, pk)
    if not access.can_request_single_payment(user, grant):
        raise PermissionDenied
    by_manager = access.manages(user, grant.association_id)
    text = services.SINGLE_CERTIFICATION_TEXT if by_manager else services.STAFF_PROPOSAL_TEXT
    form = SinglePaymentForm(request.POST or None, certification_text=text)
    if request.method == "GET":
        association = grant.association
        form.initial["amount"] = grant.amount
        form.initial["signer_name"] = (
            f"{association.representative}, {association.representative_title}".strip(", ")
            if by_manager
            else f"{user.get_full_name() or user.username}, service instructeur"
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.single_payment_request(grant=grant, user=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                "Le versement unique est demandé : le service fait est à certifier par un agent "
                "instructeur, puis le service financier émet le mandat.",
            )
            return redirect("small_grant_detail", grant.pk)
    ctx = {
        "grant": grant,
        "form": form,
        "blockers": services.single_payment_blockers(grant),
    }
    return render(request, "grants/smallgrants/single_payment_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def financial_report_upload(request, pk):
    grant = _visible_grant(request.user, pk)
    if not access.can_upload_financial_report(request.user, grant):
        raise PermissionDenied
    form = FinancialReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.financial_report_upload(
                grant=grant, user=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, "Le compte rendu financier est déposé.")
            return redirect("small_grant_detail", grant.pk)
    return render(
        request, "grants/smallgrants/financial_report_form.html", {"grant": grant, "form": form}
    )


@login_required
def financial_report_download(request, pk):
    grant = _visible_grant(request.user, pk)
    report = FinancialReport.objects.filter(grant=grant).first()
    if report is None:
        raise Http404("Aucun compte rendu financier n'est déposé.")
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Fichier introuvable.") from None
    response = FileResponse(handle, filename=report.original_name, content_type=report.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
