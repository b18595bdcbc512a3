"""Convention pages. Every view starts from `Convention.objects.visible_to(user)` (another
authority's or association's convention answers 404); services check the roles (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
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
    SignatureForm,
    SignedCopyForm,
    TerminateForm,
    annex_formset,
)
from conventions.models import Convention
from conventions.multiyear import year_rows
from conventions.obligations import justificatif_statuses
from grants import access, rules
from grants.access import instructor_required, staff_required
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
    covered = Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))
    queryset = (
        Grant.objects.visible_to(request.user)
        .filter(amount__gt=rules.CONVENTION_THRESHOLD)
        .filter(~Exists(covered))
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
    }
    return render(request, "conventions/convention_detail.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def convention_create(request):
    user = request.user
    initial = {"year": None}
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
        {"form": form, "title": "Nouvelle convention", "reload_on_association": True},
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
    convention = _visible(request.user, pk)
    try:
        services.generate_pdf(user=request.user, convention=convention)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Le PDF de la convention a été généré.")
    return redirect(convention)


def _serve(file, filename):
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    return FileResponse(
        handle, as_attachment=False, filename=filename, content_type="application/pdf"
    )


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
    suffix = "-signee" if file == convention.signed_file else ""
    return _serve(file, f"convention-{convention.year}-{convention.pk}{suffix}.pdf")


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
    if step == "signature-association":
        return {"signer_name": convention.association_signatory_name
                or convention.association.representative_name}  # fmt: skip
    if step == "signature-collectivite":
        return {"signer_name": convention.authority.president_name}
    return {}


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
    if request.method == "POST" and (form is None or form.is_valid()):
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
           "confirm_only": form is None}  # fmt: skip
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
