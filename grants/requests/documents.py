"""After the vote: the convention (above 23 000 €) or the notification letter (23 000 € or less)
of every voted request of a deliberation, produced in bulk by one background job.

`documents_plan` says, before anyone confirms, what will be produced for each association and
what stands in the way (the same rules as the convention and the letter: the deliberation
adopted; the scheme's convention template; executory before the authority signs or pays);
`run_documents` (grants/requests/jobs.py) does it, skipping what already exists, and reports
each failure per association without stopping the others.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conventions import services as convention_services
from conventions.models import Convention
from conventions.numbering import propose_number
from grants import rules as money_rules
from grants.access import can_generate_convention_pdfs, require
from grants.jobs import services as jobs
from grants.models import Job
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from grants.smallgrants import services as letters
from grants.smallgrants.models import NotificationLetter

logger = logging.getLogger(__name__)

JOB_KIND = "request_documents"
GENERATABLE = [Convention.Status.DRAFT, Convention.Status.READY]

# What the plan does for one grant.
CREATE_CONVENTION = "convention"
CONVENTION_PDF = "convention_pdf"
LETTER = "letter"
DONE = "done"
BLOCKED = "blocked"


@dataclass
class Row:
    subsidy_request: SubsidyRequest
    action: str
    label: str
    warnings: list = field(default_factory=list)
    convention: Convention | None = None

    @property
    def grant(self):
        return self.subsidy_request.grant

    @property
    def to_do(self):
        return self.action in (CREATE_CONVENTION, CONVENTION_PDF, LETTER)


@dataclass
class Plan:
    deliberation: object
    rows: list
    errors: list  # block the whole job
    warnings: list

    @property
    def to_do(self):
        return [row for row in self.rows if row.to_do]

    @property
    def can_start(self):
        return not self.errors and bool(self.to_do)


def voted_requests(deliberation):
    return list(
        SubsidyRequest.objects.filter(grant__deliberation=deliberation, status=Status.VOTED)
        .select_related(
            "association",
            "grant",
            "yearly_budget",
            "campaign__scheme__convention_template",
        )
        .order_by("association__name", "pk")
    )


def _row(subsidy_request, conventions, letter_ids):
    grant = subsidy_request.grant
    scheme = subsidy_request.campaign.scheme
    if not money_rules.convention_required(grant.amount):
        if grant.pk in letter_ids:
            return Row(subsidy_request, DONE, "Lettre de notification déjà générée")
        return Row(subsidy_request, LETTER, f"{scheme.get_letter_kind_display()} à générer")
    convention = conventions.get(grant.pk)
    if convention is not None:
        if convention.pdf_file or convention.status not in GENERATABLE:
            return Row(subsidy_request, DONE, "Convention et PDF déjà produits", [], convention)
        return Row(subsidy_request, CONVENTION_PDF, "PDF à générer", [], convention)
    template = scheme.convention_template
    if template is None:
        return Row(
            subsidy_request,
            BLOCKED,
            f"Le dispositif « {scheme.name} » n'a pas de modèle de convention : choisissez-le "
            "dans le dispositif, puis relancez",
        )
    warnings = []
    if subsidy_request.yearly_budget_id is None:
        warnings.append(
            "la demande n'a pas de budget prévisionnel : la convention sera créée sans annexe I, "
            "à rattacher avant la signature"
        )
    return Row(
        subsidy_request, CREATE_CONVENTION, f"Convention à créer ({template.name})", warnings
    )


def documents_plan(deliberation):
    """What the job will do for each voted request of the deliberation (four queries)."""
    requests = voted_requests(deliberation)
    grant_ids = [r.grant_id for r in requests]
    conventions = {}
    links = (
        Convention.grants.through.objects.filter(grant_id__in=grant_ids)
        .exclude(convention__status=Convention.Status.TERMINATED)
        .select_related("convention")
        .order_by("convention_id")
    )
    for link in links:
        conventions.setdefault(link.grant_id, link.convention)
    letter_ids = set(
        NotificationLetter.objects.filter(grant_id__in=grant_ids)
        .exclude(pdf_file="")
        .values_list("grant_id", flat=True)
    )
    rows = [_row(r, conventions, letter_ids) for r in requests]
    errors, warnings = [], []
    if not deliberation.is_adopted:
        errors.append(
            f"La délibération n° {deliberation.number} n'est pas adoptée (statut « "
            f"{deliberation.get_status_display()} ») : conventions et lettres suivent le vote."
        )
    elif not deliberation.is_executory:
        warnings.append(
            f"La délibération n° {deliberation.number} n'est pas encore exécutoire (il manque "
            f"{', '.join(deliberation.executory_missing())}) : conventions et lettres peuvent "
            "être préparées, mais la collectivité ne signe et ne verse qu'ensuite."
        )
    if not requests:
        errors.append("Aucune demande votée n'est décidée par cette délibération.")
    return Plan(deliberation, rows, errors, warnings)


def documents_key(deliberation):
    return jobs.dedup_key(JOB_KIND, deliberation.pk)


def documents_job_of(deliberation):
    return Job.objects.active().filter(dedup_key=documents_key(deliberation)).first()


def documents_start(*, user, deliberation):
    """Enqueue the job once (a double click finds the pending one); returns (job, created)."""
    require(
        can_generate_convention_pdfs(user, deliberation),
        "Seuls les agents instructeurs de la collectivité préparent conventions et lettres.",
    )
    plan = documents_plan(deliberation)
    existing = documents_job_of(deliberation)
    if existing is not None:
        return existing, False
    if plan.errors:
        raise ValidationError(plan.errors)
    if not plan.to_do:
        raise ValidationError(
            "Tout est déjà produit : chaque demande votée a sa convention ou sa lettre."
        )
    return jobs.start_job(
        kind=JOB_KIND,
        label=f"Conventions et lettres — délibération n° {deliberation.number}",
        user=user,
        authority=deliberation.authority,
        key=documents_key(deliberation),
        params={"deliberation": deliberation.pk},
        back_url=reverse("deliberation_request_documents", args=[deliberation.pk]),
        total=len(plan.to_do),
    )


def _create_convention(row, user, deliberation):
    subsidy_request, grant = row.subsidy_request, row.grant
    authority = deliberation.authority
    budget = subsidy_request.yearly_budget
    return convention_services.convention_create(
        user=user,
        authority=authority,
        association=subsidy_request.association,
        template=subsidy_request.campaign.scheme.convention_template,
        grants=[grant],
        deliberation=deliberation,
        number=propose_number(authority, grant.year),
        kind=Convention.Kind.ANNUAL,
        year=grant.year,
        end_year=grant.year,
        advance_percentage=authority.default_advance_percentage,
        forecast_budget=budget if budget is not None and budget.kind == "previsionnel" else None,
        objectives=subsidy_request.objectives,
    )


def produce(row, user, deliberation):
    """Produce one row's document; returns a French sentence of what was done."""
    if row.action == CREATE_CONVENTION:
        convention = _create_convention(row, user, deliberation)
        convention_services.generate_pdf(user=user, convention=convention)
        return "convention"
    if row.action == CONVENTION_PDF:
        convention_services.generate_pdf(user=user, convention=row.convention)
        return "convention"
    if row.action == LETTER:
        kind = row.subsidy_request.campaign.scheme.letter_kind
        letters.letter_generate(grant=row.grant, user=user, kind=kind)
        return "lettre"
    raise ValueError(row.action)


def run_documents(job, progress):
    """The job: every row still to do, one after the other; each failure is reported with the
    association's name and the others go on."""
    from deliberations.models import Deliberation

    deliberation = Deliberation.objects.select_related("authority", "session__body").get(
        pk=job.params["deliberation"]
    )
    plan = documents_plan(deliberation)
    if plan.errors:
        raise ValidationError(plan.errors)
    rows = plan.to_do
    progress(0, len(rows))
    made = {"convention": 0, "lettre": 0}
    failures = [
        f"{row.subsidy_request.association.name} : {row.label}"
        for row in plan.rows
        if row.action == BLOCKED
    ]
    for done, row in enumerate(rows, start=1):
        try:
            made[produce(row, job.owner, deliberation)] += 1
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", None) or [str(error)])
            failures.append(f"{row.subsidy_request.association.name} : {text}")
        except Exception:
            logger.exception("Document of request %s failed", row.subsidy_request.pk)
            failures.append(
                f"{row.subsidy_request.association.name} : erreur inattendue, relancez la tâche"
            )
        progress(done, len(rows))
    job.result_url = reverse("deliberation_request_documents", args=[deliberation.pk])
    conventions, letters_made = made["convention"], made["lettre"]
    job.message = (
        f"{conventions} convention{'s' if conventions > 1 else ''} (avec PDF) et "
        f"{letters_made} lettre{'s' if letters_made > 1 else ''} de notification "
        f"produite{'s' if conventions + letters_made > 1 else ''}."
    )
    if failures:
        job.message += " Non produits : " + " ; ".join(failures) + "."
