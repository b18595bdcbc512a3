"""Background work of the open-data sub-domain: reading and importing uploaded files."""

from django.tasks import task

from grants.models import ImportBatch
from grants.opendata import services


@task
def preview_import(batch_id):
    """The dry run of an uploaded file (it may hold tens of thousands of rows)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    services.import_batch_preview(batch)


@task
def commit_import(batch_id):
    """The import of the valid rows the user chose to import."""
    batch = ImportBatch.objects.get(pk=batch_id)
    services.import_batch_commit(batch)
