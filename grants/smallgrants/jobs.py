"""The notification letter of a small grant as a background job.

WeasyPrint takes about a second per letter (more on a busy server): the button checks what can
be checked at once (role, deliberation adopted, date, letter not frozen), then enqueues a job
(a double click finds the pending one); a task worker renders and stores the PDF with its
SHA-256, and the job page links to the stored letter.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from grants.jobs import services as jobs
from grants.models import Grant, Job
from grants.smallgrants import services
from grants.smallgrants.models import LetterKind

KIND = "notification_letter"


def _key(grant):
    return jobs.dedup_key(KIND, grant.pk)


def enqueue_letter(*, user, grant, kind=LetterKind.NOTIFICATION, date=None):
    """Check the letter's preconditions now, then enqueue its rendering; (job, created)."""
    date = date or timezone.localdate()
    services.letter_check(grant=grant, user=user, kind=kind, date=date)
    return jobs.start_job(
        kind=KIND,
        label=f"{LetterKind(kind).label} — subvention de {grant.association}",
        user=user,
        authority=grant.authority,
        key=_key(grant),
        params={"grant": grant.pk, "kind": kind, "date": date.isoformat()},
        back_url=reverse("small_grant_detail", args=[grant.pk]),
        total=1,
    )


def letter_job_of(grant):
    """The pending or running letter job of a grant, if any (shown on its page)."""
    return Job.objects.active().filter(dedup_key=_key(grant)).first()


def run_letter(job, progress):
    """The task's work: the service checks everything again (things may have changed since the
    click) and refuses with its French reason, which the job page shows."""
    grant = Grant.objects.get(pk=job.params["grant"])
    letter = services.letter_generate(
        grant=grant,
        user=job.owner,
        kind=job.params["kind"],
        date=datetime.date.fromisoformat(job.params["date"]),
    )
    job.result_url = reverse("small_grant_letter_download", args=[grant.pk])
    job.message = (
        f"{letter.get_kind_display()} n° {letter.reference} générée (PDF enregistré avec son "
        "empreinte SHA-256)."
    )
    progress(1, 1)
