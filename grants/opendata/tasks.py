"""Background work of the open-data sub-domain: reading and importing uploaded files."""

import logging

from django.tasks import task

from grants.models import ImportBatch
from grants.opendata import services

logger = logging.getLogger(__name__)
UNEXPECTED = (
    "Le fichier n'a pas pu être lu jusqu'au bout à cause d'une erreur de l'application ; "
    "l'équipe technique en est informée. Rien n'a été importé de la partie non lue."
)


def _guarded(work, batch):
    try:
        work(batch)
    except Exception:
        logger.exception("Import batch %s failed", batch.pk)
        services.import_batch_fail(batch, UNEXPECTED)


@task
def preview_import(batch_id):
    """The dry run of an uploaded file (it may hold tens of thousands of rows)."""
    _guarded(services.import_batch_preview, ImportBatch.objects.get(pk=batch_id))


@task
def commit_import(batch_id):
    """The import of the valid rows the user chose to import."""
    _guarded(services.import_batch_commit, ImportBatch.objects.get(pk=batch_id))
