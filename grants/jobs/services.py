"""Start, run, retry and clean up background jobs.

`start_job` records the request and enqueues `run_job` once the row is committed (a rolled-back
request enqueues nothing). A partial unique constraint on `dedup_key` among pending and running
jobs means a double click, or two colleagues asking at once, share one job and one task.
"""

import datetime
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from grants.jobs import tasks
from grants.jobs.kinds import KINDS, JobError
from grants.jobs.models import Job

logger = logging.getLogger(__name__)

Status = Job.Status

# Finished jobs (and their files) are removed after this long.
KEEP_FOR = datetime.timedelta(days=1)
# A job still running after this long died with its worker.
STALE_AFTER = datetime.timedelta(hours=2)

UNEXPECTED_ERROR = (
    "Une erreur inattendue a interrompu la tâche. Relancez-la ; si l'erreur se reproduit, "
    "prévenez l'administrateur de la plateforme."
)
STALE_ERROR = "La tâche a été interrompue (redémarrage du serveur). Relancez-la."


def dedup_key(kind, *parts):
    """A short, stable key for « the same request »: the kind and what it applies to."""
    text = ":".join(str(part) for part in parts)
    if len(text) > 120:
        text = hashlib.sha256(text.encode()).hexdigest()
    return f"{kind}:{text}"


def _enqueue(job_id):

    result = tasks.run_job.enqueue(str(job_id))
    Job.objects.filter(pk=job_id).update(task_result_id=result.id)


def start_job(*, kind, label, user, key, params=None, authority=None, back_url="", total=0):
    """The pending or running job for `key`, or a new one enqueued after commit.

    Returns (job, created).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown job kind {kind!r}")
    remove_old_jobs()
    with transaction.atomic():
        existing = Job.objects.active().filter(dedup_key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    label=label[:200],
                    owner=user,
                    authority=authority if authority is not None else user.authority,
                    params=params or {},
                    dedup_key=key,
                    back_url=back_url,
                    total=total,
                )
        except IntegrityError:  # the same request, committed by another process meanwhile
            return Job.objects.active().get(dedup_key=key), False
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job, True


def retry_job(job, user):
    """Run a failed job again, for the user who asks (their rights are checked by the task).

    Returns the job to follow: this one, or the same request already pending again.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.FAILED:
            return job
        same = Job.objects.active().filter(dedup_key=job.dedup_key).first()
        if same is not None:
            return same
        if job.file:
            job.file.delete(save=False)
        job.status = Status.PENDING
        job.owner = user
        job.error = job.message = job.result_url = job.filename = ""
        job.done = 0
        job.started_at = job.finished_at = None
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _claim(job_id):
    """Mark the job running; None when another task already took it (or it was removed)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("owner").filter(pk=job_id).first()
        if job is None or job.status != Status.PENDING:
            return None
        job.status = Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
    return job


def _fail(job, error):
    Job.objects.filter(pk=job.pk).update(
        status=Status.FAILED, error=error, finished_at=timezone.now()
    )


def _error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return str(error) or "Votre rôle ne permet pas cette action."
    return str(error)


def run(job_id):
    """The body of the `run_job` task: do the job, record its result or its error."""
    job = _claim(job_id)
    if job is None:
        return None
    handler = import_string(KINDS[job.kind])

    def progress(done, total=None):
        fields = {"done": done} if total is None else {"done": min(done, total), "total": total}
        Job.objects.filter(pk=job.pk).update(**fields)

    try:
        handler(job, progress)
    except (JobError, ValidationError, PermissionDenied) as error:
        _fail(job, _error_text(error))
        return job.status
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, UNEXPECTED_ERROR)
        raise  # the task result records the traceback for the administrators
    job.status = Status.DONE
    job.finished_at = timezone.now()
    job.total = max(job.total, Job.objects.values_list("total", flat=True).get(pk=job.pk))
    job.done = job.total
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "done",
            "total",
            "file",
            "filename",
            "result_url",
            "message",
        ]
    )
    return job.status


def mark_stale(job):
    """A job whose worker died is shown as failed, so that it can be run again."""
    since = job.started_at or job.created_at
    if job.status == Status.RUNNING and timezone.now() - since > STALE_AFTER:
        job.status = Status.FAILED
        job.error = STALE_ERROR
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def remove_old_jobs():
    """Finished jobs older than KEEP_FOR go, with their files."""
    old = Job.objects.filter(
        status__in=[Status.DONE, Status.FAILED], created_at__lt=timezone.now() - KEEP_FOR
    )
    for job in old.only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        job.delete()
