"""The association's filing of a request (Cerfa 12156*06): the steps, saved as they go, and the
deposit.

- `request_save_step`: writes the valid values of one step at once; a value that fails
  validation is kept as typed in `draft_data["invalid"]` with its error (never discarded), so
  the page shows it again until it is corrected. Called by the « Enregistrer et continuer »
  button and by the background autosave (static/js/request_autosave.js).
- `missing_items`: what still prevents the deposit, step by step, in French.
- `request_submit`: the deposit (or the redeposit after « à compléter »), through
  `services.request_move`, the row locked: a double click deposits once. Each deposit keeps a
  RequestVersion with the full snapshot of what was deposited.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from associations.budgets.models import AssociationBudget
from associations.documents.services import piece_rows
from conventions.files import sha256_of
from grants.access import can_edit_budgets, can_edit_request, can_file_request, require
from grants.queries import locked
from grants.requests import filing_forms as forms
from grants.requests import rules
from grants.requests.models import RequestVersion, SubsidyRequest
from grants.requests.rules import Status
from grants.requests.services import next_reference, request_move
from grants.templatetags.fr import euros


@dataclass(frozen=True)
class Step:
    slug: str
    number: int
    title: str
    form_class: type


STEPS = [
    Step("identification", 1, "Identification", forms.IdentificationForm),
    Step("relations", 2, "Relations avec l'administration", forms.RelationsForm),
    Step("ressources-humaines", 3, "Ressources humaines", forms.HumanResourcesForm),
    Step("budgets", 4, "Budgets", forms.NoFieldsForm),
    Step("description", 5, "Description", forms.DescriptionForm),
    Step("montant", 6, "Montant demandé et attestations", forms.AmountForm),
    Step("pieces", 7, "Pièces", forms.NoFieldsForm),
    Step("recapitulatif", 8, "Récapitulatif et dépôt", forms.NoFieldsForm),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
FIRST_STEP = STEPS[0].slug


def step_of(slug):
    return STEPS_BY_SLUG.get(slug)


def next_step(step):
    return STEPS[step.number] if step.number < len(STEPS) else None


def resume_step(subsidy_request):
    """Where the association left its request (the furthest step it reached)."""
    return step_of(subsidy_request.last_step) or STEPS[0]


def _invalid(subsidy_request):
    return dict((subsidy_request.draft_data or {}).get("invalid") or {})


def step_form(step, subsidy_request, data=None):
    """The step's form: bound to `data` when posted; otherwise, if values of this step wait in
    the draft, bound to them (over the stored values) so they show with their errors."""
    form_class = step.form_class
    if data is not None:
        return form_class(data, subsidy_request=subsidy_request)
    invalid = {k: v for k, v in _invalid(subsidy_request).items() if k in form_class.base_fields}
    form = form_class(subsidy_request=subsidy_request)
    if not invalid:
        return form
    values = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, django_forms.BooleanField):
            if value:
                values[name] = "on"
        elif value is not None and value != "":
            values[name] = value if isinstance(value, str) else field.widget.format_value(value)
    values.update(invalid)
    bound = form_class(values, subsidy_request=subsidy_request)
    bound.is_valid()
    return bound


@dataclass
class StepResult:
    errors: dict  # {field: [French messages]}, "__all__" for the form's own
    saved_at: object


def request_save_step(*, user, subsidy_request, step, data, reached=None):
    """Save what is valid in `data` for `step` now; keep the rest as typed, with its error.

    `reached`: the step the association goes on to (it becomes `last_step` if further).
    """
    require(
        can_edit_request(user, subsidy_request),
        "Cette demande ne peut plus être modifiée par l'association.",
    )
    with transaction.atomic():
        current = locked(subsidy_request, "campaign__scheme", "association")
        require(
            can_edit_request(user, current),
            "Cette demande a été déposée : elle ne peut plus être modifiée.",
        )
        original = {name: getattr(current, name) for name in step.form_class._meta.fields}
        form = step.form_class(data, subsidy_request=current)
        form.is_valid()
        errors = {name: list(messages) for name, messages in form.errors.items()}
        draft = dict(current.draft_data or {})
        invalid = _invalid(current)
        for name in form.fields:
            if name in errors:
                raw = data.get(name, "") if hasattr(data, "get") else ""
                invalid[name] = raw
                if name in original:  # never store what failed (construct_instance set it)
                    setattr(current, name, original[name])
            else:
                invalid.pop(name, None)
                if name in original:
                    setattr(current, name, form.cleaned_data.get(name))
        if "cer_accepted" in form.fields:
            draft["cer_accepted"] = bool(form.cleaned_data.get("cer_accepted"))
        draft["invalid"] = invalid
        current.draft_data = draft
        furthest = resume_step(current) if current.last_step else None
        for candidate in (step, reached):
            if candidate is not None and (furthest is None or candidate.number > furthest.number):
                furthest = candidate
        current.last_step = furthest.slug
        current.save(update_fields=[*original, "draft_data", "last_step", "updated_at"])
    subsidy_request.refresh_from_db()
    return StepResult(errors=errors, saved_at=timezone.localtime(current.updated_at))


# ---- budgets (step 4) --------------------------------------------------------------------------

YEARLY, PROJECT = "annuel", "projet"


def request_budget_link(*, user, subsidy_request, which):
    """The request's yearly forecast budget (the association's budget prévisionnel of the
    campaign's year: the existing one, or a new one) or its project budget (a new « projet »
    budget), linked to the request. Returns the budget, to be typed on the budget page."""
    from associations.budgets.services import budget_create

    require(
        can_edit_request(user, subsidy_request)
        and can_edit_budgets(user, subsidy_request.association),
        "Cette demande ne peut plus être modifiée par l'association.",
    )
    with transaction.atomic():
        current = locked(subsidy_request, "campaign__scheme", "association")
        campaign = current.campaign
        if which == YEARLY:
            if current.yearly_budget_id:
                return current.yearly_budget
            budget = AssociationBudget.objects.filter(
                association=current.association,
                year=campaign.year,
                kind=AssociationBudget.Kind.FORECAST,
            ).first() or budget_create(
                association=current.association,
                year=campaign.year,
                kind=AssociationBudget.Kind.FORECAST,
                user=user,
                label=f"Budget prévisionnel {campaign.year}",
            )
            current.yearly_budget = budget
        elif which == PROJECT:
            if not campaign.scheme.is_project:
                raise ValidationError("Ce dispositif ne demande pas de budget de projet.")
            if current.project_budget_id:
                return current.project_budget
            budget = budget_create(
                association=current.association,
                year=campaign.year,
                kind=AssociationBudget.Kind.PROJECT,
                user=user,
                label=(f"Budget du projet « {current.title} »" if current.title else "")[:200]
                or f"Budget du projet — {campaign.scheme.name}"[:200],
            )
            current.project_budget = budget
        else:
            raise ValidationError("Budget inconnu.")
        current.save(update_fields=["yearly_budget", "project_budget", "updated_at"])
    subsidy_request.refresh_from_db()
    return budget


def budget_problems(budget, label):
    """Why a budget cannot be deposited: missing, empty, or charges ≠ produits."""
    if budget is None:
        return [f"{label} n'est pas saisi."]
    problems = []
    if budget.total_charges == 0 and budget.total_products == 0:
        return [f"{label} est vide : saisissez ses charges et ses produits."]
    if budget.total_charges != budget.total_products:
        problems.append(
            f"{label} n'est pas équilibré : total des charges {euros(budget.total_charges)}, "
            f"total des produits {euros(budget.total_products)}."
        )
    if budget.grand_total_charges != budget.grand_total_products:
        problems.append(
            f"{label} n'est pas équilibré en totaux généraux (contributions volontaires "
            f"comprises) : charges {euros(budget.grand_total_charges)}, produits "
            f"{euros(budget.grand_total_products)}."
        )
    return problems


def request_budgets(subsidy_request):
    """[(which, label, budget or None)] of the request: the yearly one, the project one."""
    rows = [
        (
            YEARLY,
            f"Le budget prévisionnel {subsidy_request.campaign.year} de l'association",
            subsidy_request.yearly_budget,
        )
    ]
    if subsidy_request.campaign.scheme.is_project:
        rows.append((PROJECT, "Le budget du projet", subsidy_request.project_budget))
    return rows


# ---- what is missing (step 8) -------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    step: str  # the slug of the step where it is fixed
    message: str


REQUIRED_FIELDS = [
    ("identification", "representative_name", "le nom du représentant légal"),
    ("identification", "contact_name", "la personne chargée du dossier"),
    ("description", "title", "l'intitulé"),
    ("description", "description", "la description"),
    ("montant", "amount_requested", "le montant demandé"),
    ("montant", "signatory_name", "le nom du signataire"),
]


def request_pieces(subsidy_request):
    campaign = subsidy_request.campaign
    return piece_rows(
        subsidy_request.association,
        list(campaign.scheme.required_pieces or []),
        campaign.closes_on,
        campaign.year,
    )


def _field_items(subsidy_request):
    labels = {}
    for step in STEPS:
        for name, field in step.form_class.base_fields.items():
            labels[name] = (step.slug, field.label)
    items = []
    for name in _invalid(subsidy_request):
        slug, label = labels.get(name, (FIRST_STEP, name))
        items.append(Missing(slug, f"« {label} » contient une valeur non valide à corriger."))
    for slug, name, label in REQUIRED_FIELDS:
        value = getattr(subsidy_request, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            items.append(Missing(slug, f"Indiquez {label}."))
    return items


ATTESTATIONS = [
    ("attest_accurate", "Certifiez exactes et sincères les informations de la demande."),
    (
        "attest_obligations",
        "Certifiez que l'association est à jour de ses obligations fiscales et sociales.",
    ),
]


def _attestation_items(subsidy_request):
    items = [
        Missing("montant", text)
        for name, text in ATTESTATIONS
        if not getattr(subsidy_request, name)
    ]
    if not (subsidy_request.draft_data or {}).get("cer_accepted"):
        items.append(
            Missing("montant", "Souscrivez le contrat d'engagement républicain (case à cocher).")
        )
    return items


def missing_items(subsidy_request, today=None, pieces=None):
    """Everything that prevents the deposit, in the order of the steps."""
    today = today or timezone.localdate()
    items = []
    campaign = subsidy_request.campaign
    if subsidy_request.status == Status.DRAFT and today > campaign.closes_on:
        items.append(
            Missing(
                "recapitulatif",
                f"La campagne est close depuis le {campaign.closes_on:%d/%m/%Y} : la demande ne "
                "peut plus être déposée.",
            )
        )
    items += _field_items(subsidy_request)
    for _which, label, budget in request_budgets(subsidy_request):
        items += [Missing("budgets", text) for text in budget_problems(budget, label)]
    items += _attestation_items(subsidy_request)
    pieces = request_pieces(subsidy_request) if pieces is None else pieces
    items += [
        Missing(
            "pieces",
            f"Pièce manquante : {row.label} ({row.text.lower()}) — déposez-la dans "
            "« Mes documents ».",
        )
        for row in pieces
        if not row.satisfied
    ]
    return items


# ---- the deposit ---------------------------------------------------------------------------------


def _value(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _budget_data(budget):
    if budget is None:
        return None
    return {
        "id": budget.pk,
        "year": budget.year,
        "kind": budget.kind,
        "label": budget.label,
        "total_charges": str(budget.total_charges),
        "total_products": str(budget.total_products),
        "grand_total_charges": str(budget.grand_total_charges),
        "grand_total_products": str(budget.grand_total_products),
        "lines": [
            {
                "account": line.account,
                "label": line.label,
                "side": line.side,
                "amount": str(line.amount),
                "authority_id": line.authority_id,
            }
            for line in sorted(budget.lines.all(), key=lambda li: li.sort_key)
        ],
    }


def _piece_data(row):
    if row.document is not None and row.satisfied and row.bank_details is None:
        document = row.document
        return {
            "kind": row.kind,
            "document_id": document.pk,
            "sha256": document.sha256,
            "name": document.original_name,
            "year": document.year,
            "valid_until": _value(document.valid_until),
        }
    if row.bank_details is not None:
        details = row.bank_details
        try:
            with details.rib_file.open("rb") as handle:
                digest = sha256_of(handle)
        except (OSError, ValueError):
            digest = ""
        return {
            "kind": row.kind,
            "bank_details_id": details.pk,
            "sha256": digest,
            "name": details.rib_name,
        }
    return {"kind": row.kind, "missing": True}


SNAPSHOT_EXCLUDED = {
    "draft_data",
    "assigned_to",
    "opinion",
    "opinion_text",
    "proposed_amount",
    "decision_reason",
    "decided_at",
    "grant",
    "refusal_letter",
    "refusal_letter_sha256",
}


def request_snapshot(subsidy_request, pieces):
    """Everything the association deposited, as JSON: the fields, the association's identity,
    the budgets with their lines and totals, the pieces (ids and SHA-256)."""
    fields = {}
    for field in SubsidyRequest._meta.concrete_fields:
        if field.name in SNAPSHOT_EXCLUDED:
            continue
        fields[field.attname] = _value(getattr(subsidy_request, field.attname))
    association = subsidy_request.association
    return {
        "fields": fields,
        "association": {
            "id": association.pk,
            "name": association.name,
            "siren": association.siren,
            "siret": association.siret,
            "rna": association.rna,
            "address": association.full_address,
        },
        "campaign": {
            "id": subsidy_request.campaign_id,
            "year": subsidy_request.campaign.year,
            "scheme": subsidy_request.campaign.scheme.name,
        },
        "budgets": {
            "yearly": _budget_data(subsidy_request.yearly_budget),
            "project": _budget_data(subsidy_request.project_budget),
        },
        "pieces": [_piece_data(row) for row in pieces],
    }


def request_submit(*, user, subsidy_request, today=None):
    """Deposit the request (or redeposit it after « à compléter »): refused, with every reason
    in French and nothing changed, when the campaign is closed, the request already deposited,
    a budget unbalanced, a piece or a field missing."""
    require(
        can_file_request(user, subsidy_request.association),
        "Seuls les gestionnaires de l'association déposent ses demandes.",
    )
    today = today or timezone.localdate()
    with transaction.atomic():
        # The lock makes a double click wait, then read the deposited status.
        current = locked(subsidy_request, "campaign__scheme", "association")
        if current.status not in rules.EDITABLE_BY_ASSOCIATION:
            when = timezone.localtime(current.submitted_at) if current.submitted_at else None
            raise ValidationError(
                "Cette demande a déjà été déposée"
                + (f" le {when:%d/%m/%Y à %H:%M}." if when else ".")
            )
        pieces = request_pieces(current)
        problems = missing_items(current, today, pieces=pieces)
        if problems:
            raise ValidationError([item.message for item in problems])
        now = timezone.now()
        current.reference = current.reference or next_reference(current.campaign)
        current.version += 1
        current.submitted_at = now
        current.cer_subscribed_by = user
        current.cer_subscribed_at = now
        snapshot = request_snapshot(current, pieces)
        draft = dict(current.draft_data or {})
        draft.pop("cer_accepted", None)  # each deposit subscribes again
        request_move(
            current,
            Status.SUBMITTED,
            user=user,
            actor=rules.ASSOCIATION,
            reference=current.reference,
            version=current.version,
            submitted_at=now,
            cer_subscribed_by=user,
            cer_subscribed_at=now,
            draft_data=draft,
            last_step="recapitulatif",
        )
        RequestVersion.objects.create(
            request=current,
            number=current.version,
            submitted_at=now,
            submitted_by=user,
            data=snapshot,
        )
    subsidy_request.refresh_from_db()
    return subsidy_request
