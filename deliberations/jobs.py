"""The extract of the register as a background job: rendered by a task worker, then served as a
stored file (a plain read) by `deliberation_extract` as long as the data do not change."""

from django.urls import reverse

from deliberations import pdf
from deliberations.models import Deliberation
from grants.jobs import services as jobs
from grants.jobs.kinds import JobError
from grants.models import Job


def extract_key(deliberation):
    return jobs.dedup_key("deliberation_extract", deliberation.pk)


def enqueue_extract(*, user, deliberation, force=False):
    """Returns (job, created); the caller has checked that the extract can be printed."""
    return jobs.start_job(
        kind="deliberation_extract",
        label=f"Extrait du registre — délibération n° {deliberation.number}",
        user=user,
        authority=deliberation.authority,
        key=extract_key(deliberation),
        params={"deliberation": deliberation.pk, "force": bool(force)},
        back_url=deliberation.get_absolute_url(),
        total=1,
    )


def extract_job_of(deliberation):

    return Job.objects.active().filter(dedup_key=extract_key(deliberation)).first()


def run_extract(job, progress):
    deliberation = Deliberation.objects.select_related("authority", "session__body").get(
        pk=job.params["deliberation"]
    )
    try:
        pdf.ensure_extract(deliberation, force=job.params.get("force", False))
    except pdf.ExtractUnavailable as reason:
        raise JobError(f"L'extrait ne peut pas encore être produit : {reason}") from None
    job.result_url = reverse("deliberation_extract", args=[deliberation.pk])
    job.message = "L'extrait du registre est prêt."
    progress(1, 1)
