"""Finance pages: the payment queue, budget lines, commitments, each convention's payment
timeline, clawbacks and the Excel exports.

Every view starts from a `visible_to(user)` queryset (another authority's or association's rows
answer 404); the role checks on top answer 403. The writes go through grants.finance.services.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from associations.models import BankDetails
from conventions.models import Convention
from conventions.multiyear import default_payment_year
from conventions.readiness import grant_commitment_readiness
from grants import access, rules
from grants.access import finance_required, staff_required
from grants.audit.history import money_history
from grants.finance import export_jobs, exports, filters, services
from grants.finance.filters import PaymentFilter
from grants.finance.forms import (
    AdvanceRequestForm,
    BalanceRequestForm,
    BudgetLineForm,
    ClawbackForm,
    CommitmentForm,
    OrderForm,
    PaidForm,
    PlatformBudgetLineForm,
    RejectForm,
)
from grants.finance.models import BudgetLine, Commitment, Payment, sum_subquery
from grants.models import Grant
from grants.pagination import paginate

Status = Payment.Status


def _apply_errors(form, error):
    """Show a service's ValidationError on the form's fields, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _export_url(request, name):
    query = request.GET.copy()
    query.pop("page", None)
    url = reverse(name)
    return f"{url}?{query.urlencode()}" if query else url


# ---- the finance queue -----------------------------------------------------------------------


def _queue_counts(user, now):
    limit = now - datetime.timedelta(days=rules.PAYMENT_ORDER_TARGET_DAYS)
    waiting = [Status.REQUESTED, Status.CERTIFIED, Status.ORDERED]  # through the status index
    return (
        Payment.objects.visible_to(user)
        .filter(status__in=waiting)
        .aggregate(
            to_certify=Count("pk", filter=Q(status=Status.REQUESTED)),
            to_order=Count("pk", filter=Q(status=Status.CERTIFIED)),
            overdue=Count("pk", filter=Q(status=Status.CERTIFIED, certified_at__lt=limit)),
            ordered=Count("pk", filter=Q(status=Status.ORDERED)),
        )
    )


# The columns the queue prints, of the payment and of what it pays (convention or grant).
PAYMENT_QUEUE_FIELDS = (
    "kind", "status", "amount", "requested_at", "certified_at", "order_number", "order_date",
    "paid_date", "convention__number", "convention__year", "convention__association__name",
    "convention__authority__name", "convention__authority__short_name", "grant__year",
    "grant__association__name", "grant__authority__name", "grant__authority__short_name",
)  # fmt: skip


@staff_required
def finance_queue(request):
    payment_filter = filters.payment_filterset(request.user, request.GET)
    payments = payment_filter.qs
    rows = payments.select_related(None).select_related(
        "convention__association", "convention__authority", "grant__association", "grant__authority"
    )  # the export's select_related reads more
    page = paginate(request, rows.only(*PAYMENT_QUEUE_FIELDS), count_queryset=payments)
    now = timezone.now()
    limit = now - datetime.timedelta(days=rules.PAYMENT_ORDER_TARGET_DAYS)
    for payment in page.object_list:
        payment.is_overdue = payment.status == Status.CERTIFIED and payment.certified_at < limit
        payment.waiting_days = (now - payment.certified_at).days if payment.certified_at else None
    ctx = {
        "filter": payment_filter,
        "page": page,
        "counts": _queue_counts(request.user, now),
        "target_days": rules.PAYMENT_ORDER_TARGET_DAYS,
        "export_url": _export_url(request, "payment_export"),
        "states": PaymentFilter,
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "grants/finance/queue.html", ctx)


# ---- budget lines ----------------------------------------------------------------------------


@staff_required
def budget_line_list(request):
    line_filter = filters.budget_line_filterset(request.user, request.GET)
    lines = line_filter.qs
    totals = lines.consumption_totals()
    page = paginate(request, lines, count=totals["count"])
    ctx = {
        "filter": line_filter,
        "page": page,
        "totals": totals,
        "can_manage": access.can_manage_budget(request.user),
        "export_url": _export_url(request, "budget_line_export"),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "grants/finance/budget_line_list.html", ctx)


@staff_required
def budget_line_detail(request, pk):
    line = get_object_or_404(
        BudgetLine.objects.visible_to(request.user).select_related("authority").with_consumption(),
        pk=pk,
    )
    commitments = line.commitments.select_related(
        "grant__association", "grant__deliberation"
    ).annotate(
        ordered=sum_subquery(
            Payment.objects.filter(commitment=OuterRef("pk"), status__in=Payment.ORDERED_STATUSES)
        )
    )
    page = paginate(request, commitments.order_by("-date", "number"), count_queryset=commitments)
    ctx = {
        "line": line,
        "page": page,
        "can_manage": access.can_manage_budget(request.user, line.authority_id),
        "engagement_rate": (line.committed / line.voted_credits * 100)
        if line.voted_credits
        else None,
    }
    return render(request, "grants/finance/budget_line_detail.html", ctx)


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _save_line(request, form):
    try:
        line = services.budget_line_save(form.instance, request.user)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    messages.success(request, f"La ligne {line.imputation} ({line.year}) est enregistrée.")
    return redirect(_safe_next(request) or line)


def _initial_from_grant(request):
    """The line the deliberation cites (Grant.budget_imputation, e.g. INUM/SUFLI/65748)."""
    key = request.GET.get("subvention", "")
    if not key.isdigit():
        return {}
    grant = Grant.objects.visible_to(request.user).filter(pk=key).first()
    if grant is None:
        return {}
    initial = {"year": grant.year}
    services_part, _, nature = (grant.budget_imputation or "").strip().rpartition("/")
    if nature.isdigit():
        initial.update(nature=nature, chapter=nature[:2], service_codes=services_part)
    return initial


@finance_required
@require_http_methods(["GET", "POST"])
def budget_line_create(request):
    user = request.user
    form_class = PlatformBudgetLineForm if user.is_platform_admin else BudgetLineForm
    kwargs = {} if user.is_platform_admin else {"authority": user.authority}
    form = form_class(request.POST or None, initial=_initial_from_grant(request), **kwargs)
    if request.method == "POST" and form.is_valid():
        response = _save_line(request, form)
        if response:
            return response
    ctx = {"form": form, "title": "Nouvelle ligne budgétaire", "next": _safe_next(request)}
    return render(request, "grants/finance/budget_line_form.html", ctx)


@finance_required
@require_http_methods(["GET", "POST"])
def budget_line_edit(request, pk):
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user), pk=pk)
    if not access.can_manage_budget(request.user, line.authority_id):
        raise PermissionDenied
    form = BudgetLineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        response = _save_line(request, form)
        if response:
            return response
    ctx = {"form": form, "title": f"Modifier la ligne {line.imputation}", "line": line}
    return render(request, "grants/finance/budget_line_form.html", ctx)


# ---- grants and their commitments ------------------------------------------------------------


# The columns the commitments list prints.
GRANT_LIST_FIELDS = (
    "year", "amount", "object", "budget_imputation", "association__name",
    "deliberation__number", "authority__name", "authority__short_name",
    "commitment__number", "commitment__date", "commitment__budget_line__service_codes",
    "commitment__budget_line__nature",
)  # fmt: skip


@staff_required
def finance_grant_list(request):
    grant_filter = filters.grant_filterset(request.user, request.GET)
    grants = grant_filter.qs
    # The count and the totals row in one aggregate, over the grants' stored committed sums
    # (grants.finance.sums): no join of the commitments.
    totals = grants.aggregate(
        count=Count("*"), voted=Sum("amount"), committed=Sum("committed_amount")
    )
    page = paginate(request, grants.only(*GRANT_LIST_FIELDS), count=totals["count"])
    ctx = {
        "filter": grant_filter,
        "page": page,
        "totals": totals,
        "can_manage": access.can_manage_budget(request.user),
        "export_url": _export_url(request, "grant_export"),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "grants/finance/grant_list.html", ctx)


@finance_required
@require_http_methods(["GET", "POST"])
def grant_commit(request, pk):
    grant = get_object_or_404(
        Grant.objects.visible_to(request.user).select_related("association", "deliberation"),
        pk=pk,
    )
    if not access.can_manage_budget(request.user, grant.authority_id):
        raise PermissionDenied
    if Commitment.objects.filter(grant=grant).exists():
        messages.info(request, "Cette subvention est déjà engagée.")
        return redirect("finance_grant_list")
    form = CommitmentForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.grant_commit(grant=grant, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Subvention engagée sur la ligne {commitment.budget_line.imputation} "
                f"(engagement n° {commitment.number}).",
            )
            return redirect(commitment.budget_line)
    ctx = {"form": form, "grant": grant, "title": "Engager la subvention",
           "checklist": grant_commitment_readiness(grant)}  # fmt: skip
    return render(request, "grants/finance/commitment_form.html", ctx)


@finance_required
@require_http_methods(["GET", "POST"])
def commitment_cancel(request, pk):
    commitment = get_object_or_404(
        Commitment.objects.visible_to(request.user).select_related(
            "budget_line", "grant__association"
        ),
        pk=pk,
    )
    if request.method == "POST":
        line = commitment.budget_line
        try:
            services.commitment_cancel(commitment, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"L'engagement n° {commitment.number} est annulé.")
        return redirect(line)
    return render(request, "grants/finance/commitment_cancel.html", {"commitment": commitment})


# ---- the payment timeline of a convention ----------------------------------------------------


def _visible_convention(user, pk):
    return get_object_or_404(Convention.objects.visible_to(user).with_parties(), pk=pk)


def _timeline_events(payments, clawbacks):
    """Every dated step of the payments and clawbacks, oldest first.

    Steps are dated by their business date (the mandat's, the payment's, the titre's), which
    may be earlier than the day they were typed.
    """
    events = []
    for p in payments:
        label = p.get_kind_display()
        steps = [
            (p.requested_at, "request", f"{label} demandé"),
            (p.certified_at, "certified", f"{label} : service fait certifié"),
            (p.rejected_at, "rejected", f"{label} : demande rejetée"),
            (p.order_date, "ordered", f"{label} : mandat émis"),
            (p.paid_date, "paid", f"{label} payé"),
        ]
        for at, step, title in steps:
            if at is not None:
                events.append((at, step, p, title))
    for c in clawbacks:
        events.append((c.title_date, "clawback", c, "Reversement : titre de recettes émis"))

    def day(value):
        return timezone.localdate(value) if isinstance(value, datetime.datetime) else value

    # Stable sort: steps of the same day keep their natural order.
    events.sort(key=lambda event: day(event[0]))
    return [
        {"at": day(at), "step": step, "object": obj, "title": title}
        for at, step, obj, title in events
    ]


def _next_step(user, convention, finances, missing_justificatifs):
    """Which actions the user may take now on this convention's payments."""
    can_request = access.can_request_payment(user, convention)
    return {
        "can_request": can_request,
        "can_certify": access.can_certify(user, convention),
        "can_order": access.can_order(user, convention),
        "advance_possible": can_request
        and convention.is_signed_by_both
        and finances.advance_available > 0,
        "balance_possible": can_request
        and convention.is_signed_by_both
        and not finances.has_live_balance
        and not missing_justificatifs,
        "clawback_possible": access.can_order(user, convention),
    }


@login_required
def payment_timeline(request, pk):
    convention = _visible_convention(request.user, pk)
    if not (request.user.is_staff_member or request.user.is_manager):
        raise PermissionDenied
    payments = list(
        convention.payments.select_related(
            "requested_by",
            "certified_by",
            "rejected_by",
            "ordered_by",
            "paid_recorded_by",
            "commitment__budget_line",
        ).order_by("requested_at")
    )
    clawbacks = list(convention.clawbacks.select_related("recorded_by").order_by("recorded_at"))
    finances = services.convention_finances(convention)
    commitments = Commitment.objects.filter(grant__conventions=convention).select_related(
        "budget_line"
    )
    missing = services.missing_justificatifs(convention)
    ctx = {
        "convention": convention,
        "finances": finances,
        "payments": payments,
        "clawbacks": clawbacks,
        "events": _timeline_events(payments, clawbacks),
        "commitments": commitments if request.user.is_staff_member else None,
        "missing_justificatifs": missing,
        "actions": _next_step(request.user, convention, finances, missing),
        "certification_text": services.CERTIFICATION_TEXT,
        "history": money_history(request.user, convention),
    }
    return render(request, "grants/finance/timeline.html", ctx)


def _payment_year(request, convention):
    """The year a payment request is about: the one posted or asked in the address (?annee=),
    else the earliest year voted and not fully paid; always the year of an annual convention."""
    if not convention.is_multi_year:
        return convention.year
    for value in (request.POST.get("year"), request.GET.get("annee")):
        try:
            chosen = int(value)
        except (TypeError, ValueError):
            continue
        if chosen in convention.years:
            return chosen
    return default_payment_year(convention)


REQUEST_TITLES = {
    Payment.Kind.ADVANCE: "Demande d'acompte",
    Payment.Kind.BALANCE: "Demande de solde",
}


def _forecast_mismatch(convention, finances):
    """True when annex I's printed total of charges differs from the sum of its lines."""
    budget = convention.forecast_budget
    printed = budget.printed_total_charges if budget is not None else None
    forecast = finances.basis.forecast_expenses
    return printed is not None and forecast is not None and printed != forecast


@login_required
@require_http_methods(["GET", "POST"])
def payment_request(request, pk, kind):
    convention = _visible_convention(request.user, pk)
    if kind not in Payment.Kind.values:
        raise PermissionDenied
    if not access.can_request_payment(request.user, convention):
        raise PermissionDenied
    year = _payment_year(request, convention)
    years = convention.years if convention.is_multi_year else None
    realised = services.realised_budget(convention, year)
    if kind == Payment.Kind.ADVANCE:
        form = AdvanceRequestForm(request.POST or None, years=years)
    else:
        form = BalanceRequestForm(
            request.POST or None, needs_realised=realised is None, years=years
        )
    finances = services.convention_finances(convention, year=year)
    if request.method == "GET":
        if years:
            form.initial["year"] = year
        form.initial["signer_name"] = (
            f"{convention.association.representative}, "
            f"{convention.association.representative_title}".strip(", ")
        )
        if kind == Payment.Kind.ADVANCE:
            form.initial["amount"] = finances.advance_available or None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_request(
                convention=convention,
                user=request.user,
                kind=kind,
                signer_name=data["signer_name"],
                certified=data["certified"],
                amount=data.get("amount"),
                realised_expenses=data.get("realised_expenses"),
                year=data.get("year", year),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Votre {REQUEST_TITLES[kind].lower()} est transmise à "
                f"{convention.authority.display_name}.",
            )
            return redirect("payment_timeline", convention.pk)
    ctx = {
        "convention": convention,
        "form": form,
        "kind": kind,
        "title": REQUEST_TITLES[kind],
        "finances": finances,
        "realised_budget": realised,
        "year": year,
        "years": years,
        "justificatifs_due_date": convention.justificatifs_due_date_for(year),
        "missing_justificatifs": services.missing_justificatifs(convention, year)
        if kind == Payment.Kind.BALANCE
        else [],
        "forecast_mismatch": _forecast_mismatch(convention, finances),
    }
    return render(request, "grants/finance/payment_request_form.html", ctx)


# ---- staff and finance steps on one payment --------------------------------------------------


def _visible_payment(user, pk):
    return get_object_or_404(
        Payment.objects.visible_to(user).select_related(
            "convention__association",
            "convention__authority",
            "grant__association",
            "grant__authority",
            "grant__deliberation",
            "certified_by",
            "requested_by",
        ),
        pk=pk,
    )


def _payment_step(request, pk, *, allowed, form_class, action, title, button, success):
    """A confirmation page (with a form when the step needs input) that runs one service."""
    payment = _visible_payment(request.user, pk)
    if not allowed(request.user, payment.subject):
        raise PermissionDenied
    form_kwargs = {"payment": payment} if form_class is OrderForm else {}
    form = form_class(request.POST or None, **form_kwargs) if form_class else None
    errors = []
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            action(payment, request.user, **(form.cleaned_data if form else {}))
        except ValidationError as error:
            if form is not None:
                _apply_errors(form, error)
            else:
                errors = error.messages
        else:
            messages.success(request, success)
            return redirect(payment.get_subject_url())
    ctx = {
        "payment": payment,
        "convention": payment.convention,
        "form": form,
        "errors": errors,
        "is_order": form_class is OrderForm,
        "bank_details": BankDetails.objects.in_force(payment.subject.association)
        if form_class is OrderForm
        else None,
        "title": title,
        "button": button,
    }
    return render(request, "grants/finance/payment_step.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def payment_certify(request, pk):
    return _payment_step(
        request,
        pk,
        allowed=access.can_certify,
        form_class=None,
        action=lambda payment, user: services.payment_certify(payment, user),
        title="Certifier le service fait",
        button="Certifier le service fait",
        success="Service fait certifié : le versement est transmis au service financier.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_reject(request, pk):
    return _payment_step(
        request,
        pk,
        allowed=lambda user, c: access.can_certify(user, c) or access.can_order(user, c),
        form_class=RejectForm,
        action=lambda payment, user, reason: services.payment_reject(payment, user, reason=reason),
        title="Rejeter la demande",
        button="Rejeter la demande",
        success="La demande est rejetée ; l'association peut en présenter une nouvelle.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_order(request, pk):
    return _payment_step(
        request,
        pk,
        allowed=access.can_order,
        form_class=OrderForm,
        action=lambda payment, user, **data: services.payment_order(payment, user, **data),
        title="Émettre le mandat",
        button="Enregistrer le mandat",
        success="Mandat enregistré.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_paid(request, pk):
    return _payment_step(
        request,
        pk,
        allowed=access.can_order,
        form_class=PaidForm,
        action=lambda payment, user, date: services.payment_record_paid(payment, user, date=date),
        title="Constater le paiement",
        button="Enregistrer le paiement",
        success="Paiement enregistré.",
    )


# ---- clawbacks -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def clawback_create(request, pk):
    convention = _visible_convention(request.user, pk)
    if not access.can_order(request.user, convention):
        raise PermissionDenied
    realised = services.realised_budget(convention)
    form = ClawbackForm(request.POST or None, needs_realised=realised is None)
    finances = services.convention_finances(convention)
    if request.method == "GET" and finances.to_claw_back > 0:
        form.initial["amount"] = finances.to_claw_back
    if request.method == "POST" and form.is_valid():
        try:
            clawback = services.clawback_record(
                convention=convention, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"Reversement enregistré (titre de recettes n° {clawback.title_number})."
            )
            return redirect("payment_timeline", convention.pk)
    ctx = {
        "convention": convention,
        "form": form,
        "finances": finances,
        "realised_budget": realised,
        "forecast_mismatch": _forecast_mismatch(convention, finances),
    }
    return render(request, "grants/finance/clawback_form.html", ctx)


@staff_required
def clawback_list(request):
    clawback_filter = filters.clawback_filterset(request.user, request.GET)
    clawbacks = clawback_filter.qs
    totals = clawbacks.aggregate(count=Count("*"), total=Sum("amount"))  # one scan for both
    page = paginate(request, clawbacks, count=totals["count"])
    ctx = {
        "filter": clawback_filter,
        "page": page,
        "total": totals["total"],
        "export_url": _export_url(request, "clawback_export"),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "grants/finance/clawback_list.html", ctx)


# ---- exports ---------------------------------------------------------------------------------


@staff_required
def finance_export(request, kind):
    """The list's rows (all pages, same filters) as an Excel file; large ones in the background."""
    spec = exports.spec_for(kind)
    filterset = spec.filterset(request.user, request.GET)
    rows = spec.queryset(filterset).count()
    if rows > export_jobs.inline_limit():
        job = export_jobs.start_export(spec, filterset, request.user, request.GET.urlencode(), rows)
        return redirect(job)
    return exports.xlsx_response(spec, filterset, request.user)
