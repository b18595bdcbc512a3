"""Convention pages. Every view starts from `Convention.objects.visible_to(user)` (another
authority's or association's convention answers 404); services check the roles (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from associations.models import Association
from conventions import services
from conventions.consistency import convention_problems
from conventions.filters import ConventionFilter, MissingConventionFilter
from conventions.forms import (
    ANNEXES,
    AmendmentForm,
    ConventionForm,
    DateForm,
    PaperForm,
    SignatureForm,
    SignedCopyForm,
    TerminateForm,
    annex_formset,
)
from conventions.jobs import enqueue_convention_pdf, pdf_job_of
from conventions.models import Convention
from conventions.multiyear import year_rows
from conventions.obligations import justificatif_statuses
from conventions.readiness import READY, SIGN_ASSOCIATION, SIGN_AUTHORITY, readiness
from grants import access, rules
from grants.access import instructor_required, staff_required
from grants.audit.history import convention_history
from grants.downloads import generated_file_response, uploaded_file_response
from grants.models import Grant
from grants.pagination import paginate


def _visible(user, pk, queryset=None):
    queryset = queryset if queryset is not None else Convention.objects.all()
    return get_object_or_404(queryset.visible_to(user), pk=pk)


def _error_text(error):
    return " ".join(error.messages) if hasattr(error, "messages") else str(error)


@login_required
def convention_list(request):
    user = request.user
    if not (user.is_staff_member or user.is_manager):
        raise PermissionDenied
    queryset = Convention.objects.visible_to(user)
    convention_filter = ConventionFilter(request.GET, queryset=queryset, user=user)
    filtered = convention_filter.qs
    rows = filtered.select_related("association", "authority").only(
        "number",
        "year",
        "status",
        "amount_total",
        "authority_signed_at",
        "association_signed_at",
        "association__name",
        "association__acronym",
        "authority__name",
        "authority__short_name",
    )
    page = paginate(request, rows, count_queryset=filtered)
    ctx = {
        "filter": convention_filter,
        "page": page,
        "show_authority": user.is_platform_admin,
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        "can_prepare": access.can_prepare(user),
    }
    return render(request, "conventions/convention_list.html", ctx)


@staff_required
def grants_missing_convention(request):
    """Grants above 23 000 € that no convention covers (a convention is mandatory there)."""
    queryset = Grant.objects.visible_to(request.user).filter(
        amount__gt=rules.CONVENTION_THRESHOLD, has_convention=False
    )
    grant_filter = MissingConventionFilter(request.GET, queryset=queryset)
    filtered = grant_filter.qs
    page = paginate(
        request,
        filtered.select_related("association", "authority", "deliberation"),
        count_queryset=filtered,
    )
    ctx = {
        "filter": grant_filter,
        "page": page,
        "threshold": rules.CONVENTION_THRESHOLD,
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        "can_prepare": access.can_prepare(request.user),
    }
    return render(request, "conventions/grants_missing_convention.html", ctx)


def _next_checklist(user, convention):
    """The checklist of the convention's next step, for whoever may take it."""
    step, url_step = NEXT_CHECKLIST.get(convention.status, (None, None))
    if step is None:
        return None
    allowed = (
        access.can_record_association_signature(user, convention)
        if step == SIGN_ASSOCIATION
        else access.can_prepare(user, convention)
    )
    if not allowed:
        return None
    title = f"Avant l'étape suivante : {STEPS[url_step][2][0].lower()}{STEPS[url_step][2][1:]}"
    return {"items": readiness(convention, step), "url_step": url_step, "title": title}


@login_required
def convention_detail(request, pk):
    convention = _visible(
        request.user,
        pk,
        Convention.objects.select_related(
            "authority",
            "association",
            "template",
            "deliberation",
            "forecast_budget",
            "ready_by",
            "pdf_generated_by",
            "signed_uploaded_by",
            "association_signature_recorded_by",
            "authority_signature_recorded_by",
        ).prefetch_related("grants__deliberation", "forecast_budget__lines"),
    )
    user = request.user
    obligations = convention.obligations()
    ctx = {
        "convention": convention,
        "grants": convention.grants.all(),
        "amendments": convention.amendments.select_related("deliberation", "created_by"),
        "obligations": obligations,
        "advance_cap": rules.to_money(obligations.amount * convention.advance_percentage / 100),
        "justificatifs": justificatif_statuses(convention, obligations),
        "years": year_rows(convention) if convention.is_multi_year else None,
        "problems": convention_problems(convention) if user.is_staff_member else None,
        "next_checklist": _next_checklist(user, convention),
        "events": convention.events.select_related("user")[:50],
        "can_prepare": access.can_prepare(user, convention),
        "can_sign_association": access.can_record_association_signature(user, convention),
        "annexes": ANNEXES,
        "counts": {
            "contributions": convention.contributions.count(),
            "programme": convention.programme_events.count(),
            "indicateurs-precedents": convention.previous_indicators.count(),
            "indicateurs": convention.indicators_to_report.count(),
        },
        "Status": Convention.Status,
        "pdf_job": pdf_job_of(convention) if user.is_staff_member else None,
        "history": convention_history(user, convention),
    }
    return render(request, "conventions/convention_detail.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def convention_create(request):
    user = request.user
    initial = {}
    grant_id = request.GET.get("subvention")
    if grant_id:
        grant = get_object_or_404(Grant.objects.visible_to(user), pk=grant_id)
        initial = {"association": grant.association, "year": grant.year, "grants": [grant]}
        initial["advance_percentage"] = grant.authority.default_advance_percentage
        initial["deliberation"] = grant.deliberation
    elif request.GET.get("association"):
        association = get_object_or_404(
            Association.objects.visible_to(user), pk=request.GET["association"]
        )
        initial = {"association": association}
        for key in ("template", "year", "number", "deliberation", "forecast_budget"):
            if request.GET.get(key):
                initial[key] = request.GET[key]
    form = ConventionForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        association = data["association"]
        fields = {
            key: data[key]
            for key in form.Meta.fields
            if key not in {"association", "template", "grants"}
        }
        try:
            convention = services.convention_create(
                user=user,
                authority=association.authority,
                association=association,
                template=data["template"],
                grants=data["grants"],
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "La convention a été créée (brouillon).")
            return redirect(convention)
    return render(
        request,
        "conventions/convention_form.html",
        {
            "form": form,
            "title": "Nouvelle convention",
            "choices_url": reverse("convention_choices"),
        },
    )


@instructor_required
def convention_choices(request):
    """The chosen association's grants and forecast budgets, as the form's HTML fragment (the
    convention form's script swaps it in when the association changes)."""
    key = request.GET.get("association", "")
    if not key.isdigit():
        raise Http404
    association = get_object_or_404(Association.objects.visible_to(request.user), pk=key)
    form = ConventionForm(user=request.user, initial={"association": association})
    return render(request, "conventions/includes/convention_choices.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def convention_paper_edit(request, pk):
    """The fields of a convention typed from paper, on their own page."""
    convention = _visible(request.user, pk)
    if not access.can_prepare(request.user, convention):
        raise PermissionDenied
    if not convention.is_editable:
        messages.error(request, "Seul un brouillon se modifie.")
        return redirect(convention)
    form = PaperForm(request.POST or None, instance=convention)
    if request.method == "POST" and form.is_valid():
        services.convention_update(user=request.user, convention=convention, form=form)
        messages.success(request, "La saisie depuis le papier a été enregistrée.")
        return redirect(convention)
    ctx = {"form": form, "convention": convention, "title": "Saisie depuis le papier",
           "submit": "Enregistrer", "help": PAPER_HELP}  # fmt: skip
    return render(request, "conventions/action_form.html", ctx)


PAPER_HELP = (
    "Pour une convention reçue sur papier : recopiez ce que le document imprimé indique ; le "
    "panneau de cohérence le compare aux valeurs calculées."
)


@login_required
@require_http_methods(["GET", "POST"])
def convention_edit(request, pk):
    convention = _visible(request.user, pk)
    if not access.can_prepare(request.user, convention):
        raise PermissionDenied
    if not convention.is_editable:
        messages.error(
            request,
            "Seul un brouillon se modifie. Remettez la convention en brouillon si elle est prête "
            "pour signature ; une convention signée se modifie par avenant.",
        )
        return redirect(convention)
    form = ConventionForm(request.POST or None, instance=convention, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.convention_update(user=request.user, convention=convention, form=form)
        messages.success(request, "Les modifications ont été enregistrées.")
        return redirect(convention)
    ctx = {"form": form, "title": f"Modifier la convention — {convention.association}",
           "convention": convention}  # fmt: skip
    return render(request, "conventions/convention_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def convention_annex_edit(request, pk, annex):
    if annex not in ANNEXES:
        raise Http404
    convention = _visible(request.user, pk)
    if not access.can_prepare(request.user, convention):
        raise PermissionDenied
    if not convention.is_editable:
        messages.error(request, "Seules les annexes d'un brouillon se modifient.")
        return redirect(convention)
    formset = annex_formset(annex)(request.POST or None, instance=convention, prefix="rows")
    if request.method == "POST" and formset.is_valid():
        formset.save()
        services.annex_saved(
            user=request.user, convention=convention, label=ANNEXES[annex]["title"]
        )
        messages.success(request, f"{ANNEXES[annex]['title']} : enregistrée.")
        return redirect(convention)
    ctx = {"formset": formset, "convention": convention, "title": ANNEXES[annex]["title"]}
    return render(request, "conventions/annex_form.html", ctx)


@require_POST
@login_required
def convention_pdf_generate(request, pk):
    """Enqueue the rendering (once, whatever the clicks) and follow it on the job's page."""
    convention = _visible(request.user, pk)
    try:
        job, created = enqueue_convention_pdf(user=request.user, convention=convention)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(convention)
    if not created:
        messages.info(request, "La génération de ce PDF est déjà demandée : en voici l'avancement.")
    return redirect(job)


def _serve(file, filename, *, uploaded):
    """The signed scan was uploaded: an attachment; the generated PDF may open inline."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    respond = uploaded_file_response if uploaded else generated_file_response
    return respond(handle, filename=filename, content_type="application/pdf")


@login_required
def convention_pdf(request, pk):
    """The reference copy: the signed scan once uploaded, else the generated PDF."""
    convention = _visible(request.user, pk)
    variant = request.GET.get("version")
    if variant == "genere":
        file = convention.pdf_file
    elif variant == "signe":
        file = convention.signed_file
    else:
        file = convention.reference_file
    if not file:
        raise Http404("Aucun PDF pour cette convention.")
    signed = file == convention.signed_file
    suffix = "-signee" if signed else ""
    return _serve(
        file, f"convention-{convention.year}-{convention.pk}{suffix}.pdf", uploaded=signed
    )


@login_required
@require_http_methods(["GET", "POST"])
def convention_signed_upload(request, pk):
    convention = _visible(request.user, pk)
    if not access.can_prepare(request.user, convention):
        raise PermissionDenied
    form = SignedCopyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_signed_copy(
                user=request.user, convention=convention, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, "L'exemplaire signé est désormais l'exemplaire de référence.")
            return redirect(convention)
    ctx = {"form": form, "convention": convention, "title": "Déposer l'exemplaire signé",
           "multipart": True, "submit": "Déposer"}  # fmt: skip
    return render(request, "conventions/action_form.html", ctx)


# Lifecycle steps: (service, form class or None, title, button, needs input).
def _signature(service):
    def run(user, convention, data):
        return service(
            user=user, convention=convention, signer_name=data["signer_name"],
            signed_on=data["signed_on"],
        )  # fmt: skip

    return run


STEPS = {
    "prete": (
        lambda user, convention, data: services.mark_ready(user=user, convention=convention),
        None,
        "Déclarer prête pour signature",
    ),
    "brouillon": (
        lambda user, convention, data: services.back_to_draft(user=user, convention=convention),
        None,
        "Remettre en brouillon",
    ),
    "signature-association": (
        _signature(services.record_association_signature),
        SignatureForm,
        "Enregistrer la signature de l'association",
    ),
    "signature-collectivite": (
        _signature(services.record_authority_signature),
        SignatureForm,
        "Enregistrer la signature de la collectivité",
    ),
    "notification": (
        lambda user, convention, data: services.notify(
            user=user, convention=convention, notified_on=data["date"]
        ),
        DateForm,
        "Enregistrer la notification",
    ),
    "execution": (
        lambda user, convention, data: services.start_execution(
            user=user, convention=convention, started_on=data["date"]
        ),
        DateForm,
        "Passer en exécution",
    ),
    "solde": (
        lambda user, convention, data: services.close(
            user=user, convention=convention, closed_on=data["date"]
        ),
        DateForm,
        "Solder la convention",
    ),
    "resiliation": (
        lambda user, convention, data: services.terminate(
            user=user, convention=convention, reason=data["reason"], terminated_on=data["date"]
        ),
        TerminateForm,
        "Résilier la convention",
    ),
}


def _initial(step, convention):
    today = timezone.localdate()
    if step == "signature-association":
        return {"signer_name": convention.association_signatory_name
                or convention.association.representative_name, "signed_on": today}  # fmt: skip
    if step == "signature-collectivite":
        return {"signer_name": convention.authority.president_name, "signed_on": today}
    return {}


# The steps that have a readiness checklist, and the status each one starts from.
CHECKLISTS = {
    "prete": (READY, Convention.Status.DRAFT),
    "signature-association": (SIGN_ASSOCIATION, Convention.Status.READY),
    "signature-collectivite": (SIGN_AUTHORITY, Convention.Status.SIGNED_ASSOCIATION),
}
NEXT_CHECKLIST = {status: (step, url_step) for url_step, (step, status) in CHECKLISTS.items()}
ACKNOWLEDGE_ERROR = (
    "Cochez « J'ai pris connaissance des points à vérifier » pour continuer malgré eux."
)


@login_required
@require_http_methods(["GET", "POST"])
def convention_step(request, pk, step):
    if step not in STEPS:
        raise Http404
    convention = _visible(request.user, pk)
    run, form_class, title = STEPS[step]
    allowed = (
        access.can_record_association_signature(request.user, convention)
        if step == "signature-association"
        else access.can_prepare(request.user, convention)
    )
    if not allowed:
        raise PermissionDenied
    form = (
        form_class(request.POST or None, initial=_initial(step, convention)) if form_class else None
    )
    checklist = None
    if step in CHECKLISTS and convention.status == CHECKLISTS[step][1]:
        checklist = readiness(convention, CHECKLISTS[step][0])
    has_errors = bool(checklist) and any(item.is_error for item in checklist)
    has_warnings = bool(checklist) and any(not item.is_error for item in checklist)
    acknowledged = request.POST.get("acknowledge") == "1"
    if request.method == "POST" and has_warnings and not has_errors and not acknowledged:
        if form is None:
            messages.error(request, ACKNOWLEDGE_ERROR)
        else:
            form.is_valid()
            form.add_error(None, ACKNOWLEDGE_ERROR)
    elif request.method == "POST" and (form is None or form.is_valid()):
        try:
            run(request.user, convention, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                messages.error(request, _error_text(error))
                return redirect(convention)
            form.add_error(None, error)
        else:
            messages.success(request, f"{title} : fait.")
            return redirect(convention)
    ctx = {"form": form, "convention": convention, "title": title, "submit": title,
           "confirm_only": form is None, "checklist": checklist, "has_errors": has_errors,
           "has_warnings": has_warnings, "acknowledged": acknowledged}  # fmt: skip
    return render(request, "conventions/action_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request, pk):
    convention = _visible(request.user, pk)
    if not access.can_prepare(request.user, convention):
        raise PermissionDenied
    form = AmendmentForm(request.POST or None, convention=convention)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_create(
                user=request.user, convention=convention, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"L'avenant n° {amendment.number} a été enregistré.")
            return redirect(convention)
    ctx = {
        "form": form,
        "convention": convention,
        "title": "Nouvel avenant",
        "submit": "Enregistrer l'avenant",
    }
    return render(request, "conventions/action_form.html", ctx)
