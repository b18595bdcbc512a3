"""Convention PDFs as background jobs: one convention, or every convention of a deliberation.

Rendering a convention takes one to eight seconds (WeasyPrint): the button enqueues a job (a
double click finds the pending one), a task worker renders and stores the PDF with its SHA-256,
and the job page links to the stored file, which any later request serves as a plain file read.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse

from conventions import services
from conventions.models import Convention
from deliberations.models import Deliberation
from grants.access import can_generate_convention_pdfs, can_prepare, require
from grants.jobs import services as jobs
from grants.models import Job

GENERATABLE = [Convention.Status.DRAFT, Convention.Status.READY]


def _label(convention):
    return f"PDF de la convention {convention.number or convention.year} — {convention.association}"


def enqueue_convention_pdf(*, user, convention):
    """Check now what can be checked (role, status), then enqueue; returns (job, created)."""
    require(can_prepare(user, convention))
    services._require_status(convention, GENERATABLE, "régénérer le PDF")
    return jobs.start_job(
        kind="convention_pdf",
        label=_label(convention),
        user=user,
        authority=convention.authority,
        key=jobs.dedup_key("convention_pdf", convention.pk),
        params={"convention": convention.pk},
        back_url=convention.get_absolute_url(),
        total=1,
    )


def pdf_job_of(convention):
    """The pending or running PDF job of a convention, if any (shown on its page)."""

    return (
        Job.objects.active()
        .filter(dedup_key=jobs.dedup_key("convention_pdf", convention.pk))
        .first()
    )


def run_convention_pdf(job, progress):
    convention = Convention.objects.select_related("association").get(pk=job.params["convention"])
    services.generate_pdf(user=job.owner, convention=convention)
    job.result_url = reverse("convention_pdf", args=[convention.pk]) + "?version=genere"
    job.message = "Le PDF de la convention est généré."
    progress(1, 1)


def conventions_of(deliberation):
    """The conventions of a deliberation: attached to it, or to one of its grants."""
    return (
        Convention.objects.filter(
            Q(deliberation=deliberation) | Q(grants__deliberation=deliberation)
        )
        .distinct()
        .order_by("association__name", "pk")
    )


def enqueue_deliberation_pdfs(*, user, deliberation):
    if not can_generate_convention_pdfs(user, deliberation):
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
    pending = conventions_of(deliberation).filter(status__in=GENERATABLE).count()
    if not pending:
        raise ValidationError(
            "Aucune convention de cette délibération n'est en brouillon ou prête pour signature : "
            "il n'y a aucun PDF à générer (ceux des conventions signées ne changent plus)."
        )
    return jobs.start_job(
        kind="convention_pdfs",
        label=f"PDF des conventions de la délibération n° {deliberation.number}",
        user=user,
        authority=deliberation.authority,
        key=jobs.dedup_key("convention_pdfs", deliberation.pk),
        params={"deliberation": deliberation.pk},
        back_url=deliberation.get_absolute_url(),
        total=pending,
    )


def run_deliberation_convention_pdfs(job, progress):
    """Every convention still in draft or ready for signature, one after the other."""

    deliberation = Deliberation.objects.get(pk=job.params["deliberation"])
    conventions = list(
        conventions_of(deliberation).filter(status__in=GENERATABLE).select_related("association")
    )
    progress(0, len(conventions))
    generated, refused = 0, []
    for done, convention in enumerate(conventions, start=1):
        try:
            services.generate_pdf(user=job.owner, convention=convention)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            refused.append(f"{convention.association} : {text}")
        else:
            generated += 1
        progress(done, len(conventions))
    job.result_url = deliberation.get_absolute_url()
    job.message = f"{generated} PDF de convention généré{'s' if generated > 1 else ''}."
    if refused:
        job.message += " Non générés : " + " ; ".join(refused)
