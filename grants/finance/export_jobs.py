"""Exports too large for one request run in a background thread, with their progress.

Up to FINANCE_EXPORT_INLINE_LIMIT rows (setting, 10 000 by default) the export streams in the
response; above, an ExportJob row records the request, a daemon thread writes the workbook (in
constant memory, like any export) into MEDIA_ROOT/exports/, updating the row every 2 000 rows,
and the requester downloads the file from the job's page. Files are removed after a day.
"""

import datetime
import logging
import tempfile
import threading

from django.conf import settings
from django.core.files import File
from django.db import close_old_connections, connection, transaction
from django.http import QueryDict
from django.utils import timezone

from grants.files import atomic_with_files
from grants.finance import exports
from grants.finance.models import ExportJob

logger = logging.getLogger(__name__)

KEEP_FOR = datetime.timedelta(days=1)
# A job still "running" after this long died with its process.
STALE_AFTER = datetime.timedelta(hours=2)


def inline_limit():
    return getattr(settings, "FINANCE_EXPORT_INLINE_LIMIT", 10_000)


def start_export(spec, filterset, user, query, rows_total):
    """Record the job and start its thread once the row is committed."""
    remove_old_exports()
    job = ExportJob.objects.create(
        user=user,
        kind=spec.kind,
        query=query,
        rows_total=rows_total,
        filename=spec.file_name(filterset),
    )
    transaction.on_commit(lambda: run_in_background(job.pk))
    return job


def run_in_background(job_id):
    thread = threading.Thread(target=_thread_main, args=(job_id,), daemon=True)
    thread.start()
    return thread


def _thread_main(job_id):
    close_old_connections()
    try:
        run_export_job(job_id)
    finally:
        connection.close()


def run_export_job(job_id):
    """Build the workbook of one job. Any failure is recorded on the job, never lost."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    spec = exports.spec_for(job.kind)
    filterset = spec.filterset(job.user, QueryDict(job.query))

    def progress(count):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=count)

    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            count = spec.write(handle, filterset, job.user, progress=progress)
            handle.seek(0)
            # The file and the row that names it: both or neither.
            with atomic_with_files() as files:
                files.save(job.file, f"{job.pk}.xlsx", File(handle))
                ExportJob.objects.filter(pk=job.pk).update(
                    status=ExportJob.Status.DONE,
                    file=job.file.name,
                    rows_done=count,
                    rows_total=count,
                    finished_at=timezone.now(),
                )
    except Exception as error:  # noqa: BLE001 - recorded for the user, logged for us
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error), finished_at=timezone.now()
        )


def mark_stale(job):
    """A job whose thread died with its process is shown as failed."""
    if not job.is_finished and timezone.now() - job.created_at > STALE_AFTER:
        job.status = ExportJob.Status.FAILED
        job.error = "L'export a été interrompu (redémarrage du serveur). Relancez-le."
        job.save(update_fields=["status", "error"])
    return job


def remove_old_exports():
    for job in ExportJob.objects.filter(created_at__lt=timezone.now() - KEEP_FOR):
        if job.file:
            job.file.delete(save=False)
        job.delete()
