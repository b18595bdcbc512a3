"""Exports too large for one request become a background job (grants.jobs), with progress.

Up to FINANCE_EXPORT_INLINE_LIMIT rows (setting, 10 000 by default) the export streams in the
response; above, a job records the request (kind and filters), a task worker writes the workbook
(in constant memory, like any export) into the default storage, updating the progress every
2 000 rows, and the requester downloads the file from the job's page. Files go after a day.
"""

import tempfile

from django.conf import settings
from django.core.files import File
from django.http import QueryDict
from django.urls import reverse

from grants.finance import exports
from grants.jobs import services as jobs


def inline_limit():
    return getattr(settings, "FINANCE_EXPORT_INLINE_LIMIT", 10_000)


def start_export(spec, filterset, user, query, rows_total):
    """The job of this export (the same user, list and filters share one pending job)."""
    filename = spec.file_name(filterset)
    job, _created = jobs.start_job(
        kind="export",
        label=f"Export {filename}",
        user=user,
        key=jobs.dedup_key("export", user.pk, spec.kind, query),
        params={"export": spec.kind, "query": query},
        back_url=reverse("finance_queue"),
        total=rows_total,
    )
    return job


def run_export(job, progress):
    """Build the workbook of one job into the job's file (what the task runs)."""
    spec = exports.spec_for(job.params["export"])
    filterset = spec.filterset(job.owner, QueryDict(job.params.get("query", "")))
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        count = spec.write(handle, filterset, job.owner, progress=progress)
        handle.seek(0)
        job.file.save(f"export-{job.pk}.xlsx", File(handle), save=False)
    job.filename = spec.file_name(filterset)
    job.message = f"Le fichier est prêt : {count:,} ligne{'s' if count > 1 else ''}.".replace(
        ",", "\u202f"
    )
    progress(count, count)
