"""Pages of elected bodies, sessions and deliberations.

Every page starts from a `visible_to(user)` queryset (another authority's record answers 404)
and is for staff only: association managers get 403. Writes are for instructors and
administrators; finance officers and read-only accounts get 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conventions.jobs import conventions_of, enqueue_deliberation_pdfs
from deliberations import checks, pdf, rules, selectors, services
from deliberations.attendance import sort_key
from deliberations.filters import DeliberationFilter, SessionFilter
from deliberations.forms import (
    AttendanceForm,
    BodyForm,
    DecisionFormSet,
    DeleteConfirmForm,
    DeliberationForm,
    GrantFormSet,
    MemberBulkForm,
    MemberForm,
    PlatformBodyForm,
    SessionForm,
    TransmissionForm,
    associations_for,
)
from deliberations.jobs import enqueue_extract, extract_job_of
from deliberations.models import Body, Deliberation, Member, Session
from grants.access import instructor_required, staff_required
from grants.downloads import generated_file_response
from grants.jobs.services import dedup_key
from grants.models import Grant, Job
from grants.pagination import paginate

# The columns the lists print (a list reads no other column of its rows and their relations).
DELIBERATION_LIST_FIELDS = (
    "number", "title", "thematic", "status", "kind", "decided_on", "session_date", "body_name",
    "session__date", "session__body__name", "authority__name", "authority__short_name",
)  # fmt: skip
SESSION_LIST_FIELDS = (
    "date", "convocation_date", "second_convocation", "body__name",
    "body__authority__name", "body__authority__short_name",
)  # fmt: skip


def _is_filtered(request):
    return any(v for k, v in request.GET.items() if k not in {"page", "ordering"})


# Deliberations.


@staff_required
def deliberation_list(request):
    queryset = selectors.deliberations_for_list(request.user).only(*DELIBERATION_LIST_FIELDS)
    deliberation_filter = DeliberationFilter(request.GET, queryset=queryset, request=request)
    filtered = deliberation_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("-decided_on", "-number")  # deliberation_list_order
    page = paginate(request, filtered, count_queryset=filtered)
    page.object_list = selectors.with_beneficiaries(page.object_list)
    ctx = {
        "filter": deliberation_filter,
        "page": page,
        "is_filtered": _is_filtered(request),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "deliberations/deliberation_list.html", ctx)


def _visible_deliberation(user, pk):
    queryset = Deliberation.objects.visible_to(user).select_related(
        "authority",
        "session__body__authority",
        "session__presiding",
        "session__secretary",
        "vote_recorded_by",
        "transmission_recorded_by",
    )
    grants = Grant.objects.select_related("association").order_by("association__name")
    queryset = queryset.prefetch_related("decisions", Prefetch("grants", queryset=grants))
    return get_object_or_404(queryset, pk=pk)


@staff_required
def deliberation_detail(request, pk):
    deliberation = _visible_deliberation(request.user, pk)
    session = deliberation.session
    summary = session.attendance if session else None
    extract_reason = pdf.unavailable_reason(deliberation)
    deliberation_checks = checks.deliberation_checks(deliberation, summary)
    conventions = conventions_of(deliberation)
    conventions_job = (
        Job.objects.active().filter(dedup_key=dedup_key("convention_pdfs", deliberation.pk)).first()
    )
    session_checks = checks.session_checks(session, summary) if session else []
    ctx = {
        "deliberation": deliberation,
        "session": session,
        "summary": summary,
        "decisions": deliberation.decisions.all(),
        "grants": deliberation.grants.all(),
        "grants_total": sum(g.amount for g in deliberation.grants.all()),
        "checks": deliberation_checks,
        "session_checks": session_checks,
        "error_count": sum(c.level == "error" for c in deliberation_checks + session_checks),
        "extract_reason": extract_reason,
        "extract_current": not extract_reason and pdf.extract_is_current(deliberation),
        "extract_job": extract_job_of(deliberation),
        "conventions_job": conventions_job,
        "convention_count": conventions.count() if request.user.can_instruct else 0,
        "can_edit": request.user.can_instruct,
    }
    return render(request, "deliberations/deliberation_detail.html", ctx)


def _deliberation_form_page(request, deliberation, authority, title):
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = DeliberationForm(data, instance=deliberation, user=user, authority=authority)
    session_year = deliberation.session.date.year if deliberation.session_id else None
    decisions = DecisionFormSet(data, instance=deliberation, prefix="articles")
    grants = GrantFormSet(
        data,
        instance=deliberation,
        prefix="subventions",
        form_kwargs={
            "associations": associations_for(user, authority or form.authority),
            "default_year": session_year or timezone.localdate().year,
        },
    )
    if request.method == "POST":
        valid = form.is_valid() & decisions.is_valid() & grants.is_valid()
        if valid and form.cleaned_data.get("votes_for") is not None and not decisions.kept_count:
            form.add_error(None, "Une délibération votée compte au moins un article de décision.")
            valid = False
        if valid:
            wrong = [
                f.cleaned_data["association"]
                for f in grants.forms
                if f.cleaned_data.get("association")
                and f.cleaned_data["association"].authority_id != form.instance.authority_id
            ]
            if wrong:
                form.add_error(None, f"{wrong[0]} relève d'une autre collectivité.")
                valid = False
        if valid:
            try:
                deliberation = services.deliberation_save(
                    form=form, decisions=decisions, grants=grants, user=user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"La délibération n° {deliberation.number} est enregistrée."
                )
                return redirect(deliberation)
    ctx = {
        "form": form,
        "decisions": decisions,
        "grants": grants,
        "session_votes": _session_votes(user, form.fields["session"].queryset),
        "title": title,
        "deliberation": deliberation if deliberation.pk else None,
    }
    return render(request, "deliberations/deliberation_form.html", ctx)


def _session_votes(user, sessions):
    """Votes available per session, for the form's hint and its « unanimity » button."""
    rows = (
        selectors.sessions_for_list(user)
        .filter(pk__in=sessions.values("pk"))
        .values("pk", "present_count", "proxies_count", "in_office_count")
    )
    return {
        str(row["pk"]): {
            "present": row["present_count"],
            "proxies": row["proxies_count"],
            "votes": row["present_count"] + row["proxies_count"],
            "in_office": row["in_office_count"],
        }
        for row in rows
    }


@instructor_required
@require_http_methods(["GET", "POST"])
def deliberation_create(request):
    authority = None if request.user.is_platform_admin else request.user.authority
    deliberation = Deliberation(authority=authority) if authority else Deliberation()
    initial_session = request.GET.get("seance")
    if initial_session and initial_session.isdigit():
        session = Session.objects.visible_to(request.user).filter(pk=initial_session).first()
        if session is not None:
            deliberation.session = session
    return _deliberation_form_page(request, deliberation, authority, "Nouvelle délibération")


@instructor_required
@require_http_methods(["GET", "POST"])
def deliberation_edit(request, pk):
    deliberation = _visible_deliberation(request.user, pk)
    if deliberation.is_light:
        return redirect("deliberation_light_edit", pk)
    title = f"Modifier la délibération n° {deliberation.number}"
    return _deliberation_form_page(request, deliberation, deliberation.authority, title)


@instructor_required
@require_http_methods(["GET", "POST"])
def deliberation_transmission(request, pk):
    deliberation = _visible_deliberation(request.user, pk)
    if deliberation.is_light:
        # A light deliberation's transmission is typed on its own form.
        return redirect("deliberation_light_edit", pk)
    if not deliberation.is_adopted:
        messages.error(request, "Seule une délibération adoptée est transmise et publiée.")
        return redirect(deliberation)
    form = TransmissionForm(request.POST or None, instance=deliberation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in TransmissionForm.Meta.fields}
        try:
            services.deliberation_record_transmission(
                deliberation=deliberation, user=request.user, **fields
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "La transmission et la publication sont enregistrées.")
            return redirect(deliberation)
    ctx = {"form": form, "deliberation": deliberation}
    return render(request, "deliberations/transmission_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def deliberation_delete(request, pk):
    deliberation = _visible_deliberation(request.user, pk)
    if deliberation.is_adopted:
        messages.error(request, "Une délibération adoptée ne peut pas être supprimée.")
        return redirect(deliberation)
    form = DeleteConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliberation_delete(deliberation=deliberation, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"La délibération n° {deliberation.number} est supprimée.")
            return redirect("deliberation_list")
    ctx = {"form": form, "deliberation": deliberation}
    return render(request, "deliberations/deliberation_confirm_delete.html", ctx)


def _serve_extract(deliberation):
    return generated_file_response(
        deliberation.extract_pdf.open("rb"),
        filename=f"extrait-deliberation-{deliberation.number}.pdf",
    )


@staff_required
def deliberation_extract(request, pk):
    """Serve the stored extract if it is up to date; otherwise enqueue its rendering (once)
    and follow it on the job's page."""
    deliberation = _visible_deliberation(request.user, pk)
    reason = pdf.unavailable_reason(deliberation)
    if reason:
        messages.error(request, f"L'extrait ne peut pas encore être produit : {reason}")
        return redirect(deliberation)
    if pdf.extract_is_current(deliberation) and pdf.stored_file_intact(deliberation):
        return _serve_extract(deliberation)
    job, _created = enqueue_extract(user=request.user, deliberation=deliberation)
    return redirect(job)


@instructor_required
@require_POST
def deliberation_extract_regenerate(request, pk):
    deliberation = _visible_deliberation(request.user, pk)
    reason = pdf.unavailable_reason(deliberation)
    if reason:
        messages.error(request, f"L'extrait ne peut pas encore être produit : {reason}")
        return redirect(deliberation)
    job, _created = enqueue_extract(user=request.user, deliberation=deliberation, force=True)
    return redirect(job)


@instructor_required
@require_POST
def deliberation_convention_pdfs(request, pk):
    """« Générer les PDF de toutes les conventions »: one job, one convention after the other."""
    deliberation = _visible_deliberation(request.user, pk)
    try:
        job, created = enqueue_deliberation_pdfs(user=request.user, deliberation=deliberation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(deliberation)
    if not created:
        messages.info(request, "Cette génération est déjà demandée : en voici l'avancement.")
    return redirect(job)


# Sessions.


def _quorum_badge(session):
    """The list's quorum column: (badge class, label), by deliberations.rules."""
    if not session.present_count and not session.proxies_count:
        return "badge-muted", "Présences à saisir"
    if rules.quorum_reached(session.present_count, session.in_office_count):
        return "badge-ok", "Atteint"
    if session.second_convocation:
        return "badge-warn", "Non requis"
    return "badge-err", "Non atteint"


@staff_required
def session_list(request):
    queryset = selectors.sessions_for_list(request.user).only(*SESSION_LIST_FIELDS)
    session_filter = SessionFilter(request.GET, queryset=queryset, request=request)
    filtered = session_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("-date", "body__name")
    page = paginate(request, filtered, count_queryset=filtered)
    page.object_list = list(page.object_list)
    for session in page.object_list:
        session.votes = rules.votes_available(session.present_count, session.proxies_count)
        session.quorum_badge = _quorum_badge(session)
    ctx = {
        "filter": session_filter,
        "page": page,
        "is_filtered": _is_filtered(request),
        "show_authority": request.user.is_platform_admin,
    }
    return render(request, "deliberations/session_list.html", ctx)


def _visible_session(user, pk):
    queryset = Session.objects.visible_to(user).select_related(
        "body__authority", "presiding", "secretary", "attendance_recorded_by"
    )
    return get_object_or_404(queryset, pk=pk)


@staff_required
def session_detail(request, pk):
    session = _visible_session(request.user, pk)
    summary = session.attendance
    ctx = {
        "session": session,
        "summary": summary,
        "checks": checks.session_checks(session, summary),
        "deliberations": session.deliberations.order_by("number"),
        "can_edit": request.user.can_instruct,
    }
    return render(request, "deliberations/session_detail.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "GET" and "instance" in request.GET:
        form.initial["body"] = request.GET["instance"]
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, f"La séance « {session} » est créée : saisissez les présences.")
        return redirect("session_attendance", session.pk)
    return render(
        request, "deliberations/session_form.html", {"form": form, "title": "Nouvelle séance"}
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = _visible_session(request.user, pk)
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "La séance est modifiée.")
        return redirect(session)
    ctx = {"form": form, "title": f"Modifier la séance « {session} »", "session": session}
    return render(request, "deliberations/session_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    session = _visible_session(request.user, pk)
    members = sorted(session.body.members.in_office(session.date), key=sort_key)
    form = AttendanceForm(request.POST or None, session=session, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_record_attendance(
                session=session,
                user=request.user,
                entries=form.entries(),
                presiding_id=form.cleaned_data["presiding"],
                secretary_id=form.cleaned_data["secretary"],
                presiding_title=form.cleaned_data["presiding_title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Les présences de la séance sont enregistrées.")
            return redirect(session)
    ctx = {"form": form, "session": session, "members": members}
    return render(request, "deliberations/session_attendance.html", ctx)


# Bodies and members.


@staff_required
def body_list(request):
    bodies = Body.objects.visible_to(request.user).select_related("authority")
    page = paginate(request, bodies.order_by("authority__name", "name"))
    ctx = {"page": page, "show_authority": request.user.is_platform_admin}
    return render(request, "deliberations/body_list.html", ctx)


def _visible_body(user, pk):
    return get_object_or_404(Body.objects.visible_to(user).select_related("authority"), pk=pk)


@staff_required
def body_detail(request, pk):
    body = _visible_body(request.user, pk)
    today = timezone.localdate()
    members = list(body.members.all())
    in_office = [m for m in members if m.in_office_on(today)]
    ctx = {
        "body": body,
        "in_office": in_office,
        "former": [m for m in members if not m.in_office_on(today)],
        "sessions": body.sessions.order_by("-date")[:20],
        "can_edit": request.user.can_instruct,
    }
    return render(request, "deliberations/body_detail.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def body_create(request):
    user = request.user
    if user.is_platform_admin:
        form = PlatformBodyForm(request.POST or None)
    else:
        form = BodyForm(request.POST or None, authority=user.authority)
    if request.method == "POST" and form.is_valid():
        body = form.save()
        messages.success(request, f"L'instance « {body} » est créée : ajoutez ses membres.")
        return redirect(body)
    return render(
        request, "deliberations/body_form.html", {"form": form, "title": "Nouvelle instance"}
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def body_edit(request, pk):
    body = _visible_body(request.user, pk)
    form = BodyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "L'instance est modifiée.")
        return redirect(body)
    ctx = {"form": form, "title": f"Modifier « {body} »", "body": body}
    return render(request, "deliberations/body_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    body = _visible_body(request.user, pk)
    form = MemberForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        member = form.save()
        messages.success(request, f"{member} est ajouté{'e' if member.is_woman else ''}.")
        return redirect(body)
    ctx = {"form": form, "body": body, "title": f"Nouveau membre — {body}"}
    return render(request, "deliberations/member_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def member_bulk_create(request, pk):
    body = _visible_body(request.user, pk)
    form = MemberBulkForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["mandate_start"]
        created = 0
        with transaction.atomic():
            for civility, first_name, last_name in form.cleaned_data["members"]:
                _, new = Member.objects.get_or_create(
                    body=body,
                    first_name=first_name,
                    last_name=last_name,
                    mandate_start=start,
                    defaults={"civility": civility},
                )
                created += new
        skipped = len(form.cleaned_data["members"]) - created
        text = f"{created} membre{'s' if created > 1 else ''} ajouté{'s' if created > 1 else ''}"
        if skipped:
            text += f" ; {skipped} déjà enregistré{'s' if skipped > 1 else ''}"
        messages.success(request, text + ".")
        return redirect(body)
    ctx = {"form": form, "body": body, "title": f"Ajouter des membres — {body}"}
    return render(request, "deliberations/member_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("body__authority"), pk=pk
    )
    form = MemberForm(request.POST or None, instance=member, body=member.body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{member} est modifié{'e' if member.is_woman else ''}.")
        return redirect(member.body)
    ctx = {"form": form, "body": member.body, "title": f"Modifier {member}"}
    return render(request, "deliberations/member_form.html", ctx)
