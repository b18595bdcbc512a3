"""The request's page, for both sides (the association's managers and the authority's staff),
and staff's instruction actions on it. Every page starts from
`SubsidyRequest.objects.visible_to(user)`: another authority's or another association's request
answers 404; a role that may read but not act (consultation, finance) gets 403 on the actions.
"""

import datetime
import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from associations.documents.models import AssociationDocument, PieceKind
from grants import access
from grants.requests import instruction, rules
from grants.requests.forms import AssignForm, MessageForm, MoveForm, PieceCheckForm
from grants.requests.models import RequestEvent, RequestVersion, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import request_message
from grants.templatetags.fr import euros


def _visible_request(user, pk):
    return get_object_or_404(
        SubsidyRequest.objects.visible_to(user).select_related(
            "campaign__scheme",
            "association",
            "authority",
            "assigned_to",
            "grant__deliberation",
            "yearly_budget",
            "project_budget",
        ),
        pk=pk,
    )


def _instructing(request, pk):
    subsidy_request = _visible_request(request.user, pk)
    if not access.can_instruct_request(request.user, subsidy_request):
        raise PermissionDenied("Votre rôle permet de lire cette demande, pas de l'instruire.")
    return subsidy_request


def _error_messages(request, error):
    for message in error.messages:
        messages.error(request, message)


def piece_rows(subsidy_request):
    """Each piece the scheme requires, with the association's current document of that kind,
    whether it serves this campaign (valid on its closing date) and staff's verdict (2 queries)."""
    campaign = subsidy_request.campaign
    documents = {}
    for document in AssociationDocument.objects.filter(
        association_id=subsidy_request.association_id
    ).current():
        documents.setdefault(document.kind, document)
    checks = {check.kind: check for check in subsidy_request.checks.select_related("checked_by")}
    rows = []
    for kind in campaign.scheme.required_pieces:
        document = documents.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": PieceKind(kind).label if kind in PieceKind.values else kind,
                "document": document,
                "valid": document is not None
                and document.is_valid_on(campaign.closes_on, campaign.year),
                "check": checks.get(kind),
            }
        )
    return rows


@login_required
def request_detail(request, pk):
    user = request.user
    subsidy_request = _visible_request(user, pk)
    staff_side = access.can_instruct_request(user, subsidy_request)
    events = subsidy_request.events.select_related("author")
    if not user.is_staff_member and not user.is_platform_admin:
        events = events.exclude(kind=RequestEvent.Kind.NOTE)
    events = list(events)
    labels = dict(Status.choices)
    for event in events:
        event.from_label = labels.get(event.from_status, event.from_status)
        event.to_label = labels.get(event.to_status, event.to_status)
    ctx = {
        "subsidy_request": subsidy_request,
        "campaign": subsidy_request.campaign,
        "events": events,
        "versions": list(subsidy_request.versions.select_related("submitted_by")),
        "staff_view": user.is_staff_member or user.is_platform_admin,
        "can_instruct": staff_side,
        "can_message": access.can_message_request(user, subsidy_request),
        "message_form": MessageForm(),
    }
    if ctx["staff_view"]:
        ctx["pieces"] = piece_rows(subsidy_request)
        ctx["obligations"] = instruction.request_obligations(subsidy_request)
    if staff_side:
        # Inscribed in a deliberation, the request is the vote's to move (services.request_move).
        ctx["moves"] = (
            []
            if subsidy_request.grant_id
            else rules.moves_from(subsidy_request.status, rules.STAFF)
        )
        ctx["assign_form"] = AssignForm(
            authority_id=subsidy_request.authority_id,
            initial={"agent": subsidy_request.assigned_to_id},
        )
        ctx["piece_form"] = PieceCheckForm()
    return render(request, "grants/requests/request_detail.html", ctx)


# Fields of a deposited version shown first, in the order of the Cerfa.
VERSION_FIELDS = [
    "title",
    "amount_requested",
    "representative_name",
    "representative_title",
    "contact_name",
    "contact_email",
    "objectives",
    "description",
    "target_public",
    "location",
    "start_date",
    "end_date",
    "means",
    "evaluation",
    "members_count",
    "volunteers_count",
    "employees_count",
    "employees_fte",
    "signatory_name",
    "signatory_title",
]


# Keys of the snapshot's fields that are links, not what the association typed.
VERSION_HIDDEN = {"id", "campaign_id", "association_id", "authority_id", "created_by_id",
                  "cer_subscribed_by_id", "yearly_budget_id", "project_budget_id",
                  "status", "last_step", "updated_at"}  # fmt: skip


def _shown(value, field=None):
    """A snapshot value in French: amounts in euros, dates as 13/06/2024, yes/no."""
    if value not in (None, "") and field is not None:
        if isinstance(field, models.DateTimeField):
            return f"{timezone.localtime(datetime.datetime.fromisoformat(value)):%d/%m/%Y à %H:%M}"
        if isinstance(field, models.DateField):
            return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
        if isinstance(field, models.DecimalField) and field.decimal_places == 2:
            return euros(Decimal(value)) if field.max_digits == 12 else str(value).replace(".", ",")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=2)
    if value in (None, ""):
        return "—"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return str(value)


def _budget_row(label, budget):
    if not budget:
        return (label, "—")
    return (
        label,
        f"{budget.get('label') or budget.get('year')} : charges "
        f"{euros(Decimal(budget['total_charges']))}, produits "
        f"{euros(Decimal(budget['total_products']))} ({len(budget.get('lines', []))} lignes)",
    )


def _piece_row(piece):
    label = (
        str(PieceKind(piece["kind"]).label) if piece["kind"] in PieceKind.values else piece["kind"]
    )
    if piece.get("missing"):
        return (label, "manquante")
    return (label, f"{piece.get('name', '')} (SHA-256 {piece.get('sha256') or '—'})")


def version_rows(data):
    """(label, value) of a version's snapshot (grants/requests/filing.request_snapshot): the
    Cerfa's main fields first, then the other fields, the budgets' totals and the pieces."""
    if not isinstance(data, dict):
        return [("Contenu", json.dumps(data, ensure_ascii=False, indent=2))]
    fields = data.get("fields", data)
    by_key = {}
    for f in SubsidyRequest._meta.concrete_fields:
        by_key[f.name] = by_key[f.attname] = f
    keys = [k for k in VERSION_FIELDS if k in fields]
    keys += [k for k in fields if k not in VERSION_FIELDS and k not in VERSION_HIDDEN]
    rows = []
    for key in keys:
        field = by_key.get(key)
        label = str(field.verbose_name) if field else key.replace("_", " ")
        rows.append((label[:1].upper() + label[1:], _shown(fields[key], field)))
    if "fields" not in data:
        return rows
    budgets = data.get("budgets") or {}
    rows.append(_budget_row("Budget prévisionnel annuel", budgets.get("yearly")))
    if budgets.get("project"):
        rows.append(_budget_row("Budget du projet", budgets["project"]))
    rows += [_piece_row(piece) for piece in data.get("pieces", [])]
    return rows


@login_required
def request_version(request, pk, number):
    subsidy_request = _visible_request(request.user, pk)
    version = get_object_or_404(
        RequestVersion.objects.select_related("submitted_by"),
        request=subsidy_request,
        number=number,
    )
    return render(
        request,
        "grants/requests/request_version.html",
        {
            "subsidy_request": subsidy_request,
            "version": version,
            "rows": version_rows(version.data),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_move(request, pk, target):
    """The confirmation of a staff move (what will happen, the reason), then the move."""
    subsidy_request = _instructing(request, pk)
    if target not in Status.values:
        raise Http404("Statut inconnu.")
    move = rules.transition(subsidy_request.status, target, rules.STAFF)
    form = MoveForm(
        request.POST or None,
        target=target,
        subsidy_request=subsidy_request,
    )
    if request.method == "POST" and move is not None and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            instruction.request_staff_move(
                user=request.user,
                subsidy_request=subsidy_request,
                target=target,
                text=data.pop("text", ""),
                **data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Demande {subsidy_request.reference} : {Status(target).label.lower()}. "
                "L'association est prévenue.",
            )
            return redirect(subsidy_request)
    ctx = {
        "subsidy_request": subsidy_request,
        "move": move,
        "target_label": Status(target).label,
        "form": form,
        "needs_reason": target in rules.NEEDS_REASON,
    }
    if move is None:
        ctx["refusal"] = (
            f"Une demande « {subsidy_request.get_status_display().lower()} » ne peut pas "
            f"passer au statut « {Status(target).label.lower()} »."
        )
    if target == Status.INSTRUCTED:
        ctx["obligations"] = instruction.request_obligations(subsidy_request)
    status = 400 if request.method == "POST" else 200
    return render(request, "grants/requests/request_move.html", ctx, status=status)


@login_required
@require_POST
def request_assign(request, pk):
    subsidy_request = _instructing(request, pk)
    form = AssignForm(request.POST, authority_id=subsidy_request.authority_id)
    if form.is_valid():
        try:
            instruction.request_assign(
                user=request.user, subsidy_request=subsidy_request, agent=form.cleaned_data["agent"]
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            agent = form.cleaned_data["agent"]
            messages.success(
                request, f"Demande confiée à {agent}." if agent else "Plus d'agent chargé."
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(subsidy_request)


@login_required
@require_POST
def request_piece_check(request, pk, kind):
    subsidy_request = _instructing(request, pk)
    if kind not in subsidy_request.campaign.scheme.required_pieces:
        raise Http404("Pièce non exigée par le dispositif.")
    form = PieceCheckForm(request.POST)
    if form.is_valid():
        document = (
            AssociationDocument.objects.filter(
                association_id=subsidy_request.association_id, kind=kind
            )
            .current()
            .first()
        )
        try:
            instruction.request_check_piece(
                user=request.user,
                subsidy_request=subsidy_request,
                kind=kind,
                document=document,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, f"Pièce « {PieceKind(kind).label} » vérifiée.")
    else:
        messages.error(request, "Choisissez un avis sur la pièce.")
    return redirect(f"{subsidy_request.get_absolute_url()}#pieces")


@login_required
@require_POST
def request_message_post(request, pk):
    subsidy_request = _visible_request(request.user, pk)
    if not access.can_message_request(request.user, subsidy_request):
        raise PermissionDenied("Votre rôle permet de lire cette demande, pas d'y écrire.")
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            request_message(
                user=request.user,
                subsidy_request=subsidy_request,
                text=form.cleaned_data["text"],
                internal=form.cleaned_data["internal"],
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                "Note interne enregistrée." if form.cleaned_data["internal"] else "Message envoyé.",
            )
            return redirect(f"{subsidy_request.get_absolute_url()}#fil")
    else:
        messages.error(request, "Le message est vide.")
    return redirect(f"{subsidy_request.get_absolute_url()}#fil")
