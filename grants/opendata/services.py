"""Writes of the open-data sub-domain: import batches, from upload to import (or nothing)."""

import logging
import os

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from grants.models import ImportBatch, ImportIssue
from grants.opendata.imports import FileUnreadable, Importer, MissingColumns, open_table

logger = logging.getLogger(__name__)

ISSUE_CHUNK = 500


def run_import(
    batch,
    opener,
    size,
    *,
    commit,
    authority=None,
    create_authorities=False,
    mapping=None,
    on_issue=None,
    on_progress=None,
):
    """Read the file and import its valid rows (commit) or only count them (dry run)."""
    importer = Importer(
        batch,
        authority=authority,
        create_authorities=create_authorities,
        mapping=mapping,
        commit=commit,
        on_issue=on_issue,
        on_progress=on_progress,
    )
    return importer.run(opener, size)


def import_batch_create(user, uploaded, *, authority, create_authorities=False):
    """Store the uploaded file (default storage) and record the batch; nothing is read yet."""
    batch = ImportBatch(
        authority=authority,
        user=user,
        original_name=os.path.basename(uploaded.name)[:255],
        size=uploaded.size,
        create_authorities=create_authorities and user.is_platform_admin,
    )
    batch.file.save(f"{timezone.now():%Y%m%d-%H%M%S}.dat", uploaded, save=False)
    batch.save()
    return batch


def _opener(batch):
    return lambda: default_storage.open(batch.file.name, "rb")


class _IssueWriter:
    """Stores the issues of a run in chunks (constant memory whatever their number)."""

    def __init__(self, batch):
        self.batch = batch
        self.pending = []

    def __call__(self, line, kind, column, message):
        self.pending.append(
            ImportIssue(batch=self.batch, line=line, kind=kind, column=column, message=message)
        )
        if len(self.pending) >= ISSUE_CHUNK:
            self.flush()

    def flush(self):
        if self.pending:
            ImportIssue.objects.bulk_create(self.pending)
            self.pending = []


def _progress(batch):
    def report(done, total):
        ImportBatch.objects.filter(pk=batch.pk).update(progress_done=done, progress_total=total)

    return report


def _run_batch(batch, *, commit):
    batch.issues.all().delete()
    writer = _IssueWriter(batch)
    try:
        report = run_import(
            batch,
            _opener(batch),
            batch.size,
            commit=commit,
            authority=batch.authority,
            create_authorities=batch.create_authorities,
            mapping=batch.column_mapping,
            on_issue=writer,
            on_progress=_progress(batch),
        )
    except MissingColumns as error:
        writer.flush()
        batch.status = ImportBatch.Status.NEEDS_MAPPING
        batch.error = str(error)
        batch.save(update_fields=["status", "error"])
        return None
    except FileUnreadable as error:
        import_batch_fail(batch, str(error))
        return None
    writer.flush()
    batch.refresh_from_db(fields=["progress_done", "progress_total"])
    batch.file_format = report.file_format
    batch.header_line = report.header_line
    batch.defaults_applied = report.defaults
    batch.rows_valid = report.valid
    batch.rows_refused = report.refused
    batch.rows_duplicate = report.duplicates
    batch.rows_skipped = report.skipped
    batch.rows_imported = report.imported
    batch.error = ""
    return report


def import_batch_fail(batch, message):
    """The file cannot be read: say why, forget the file."""
    batch.status = ImportBatch.Status.FAILED
    batch.error = message
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
    _delete_file(batch)


def import_batch_start_commit(batch):
    """Claim the batch for its import, once: a second click (or a second worker) gets False."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.IMPORTING, progress_done=0
    )
    return claimed == 1


def import_batch_preview(batch):
    """The dry run: count valid, refused and already present rows, store the reasons."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PREVIEWING)
    batch.refresh_from_db()
    if _run_batch(batch, commit=False) is None:
        return batch
    batch.status = ImportBatch.Status.PREVIEWED
    batch.save()
    return batch


def import_batch_commit(batch):
    """Import the valid rows of a claimed batch (the reasons of the refused ones are stored
    again: the database may have changed since the preview)."""
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.IMPORTING:
        return batch
    if _run_batch(batch, commit=True) is None:
        return batch
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()
    _delete_file(batch)
    return batch


def import_batch_cancel(batch):
    """« Ne rien importer »: forget the file, keep the batch as a trace."""
    with transaction.atomic():
        batch.status = ImportBatch.Status.CANCELLED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
    _delete_file(batch)
    return batch


def import_batch_set_mapping(batch, mapping):
    batch.column_mapping = {k: v for k, v in mapping.items() if v}
    batch.status = ImportBatch.Status.UPLOADED
    batch.save(update_fields=["column_mapping", "status"])
    return batch


def batch_headers(batch):
    """The header of the stored file (for the column mapping step)."""
    size = batch.size
    table = open_table(_opener(batch), size)
    try:
        return [h for h in table.headers if h.strip()]
    finally:
        table.close()


def _delete_file(batch):
    if batch.file:
        name = batch.file.name
        transaction.on_commit(lambda: default_storage.delete(name))
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
