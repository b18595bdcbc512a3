"""`manage.py cleanup_orphan_files`: lists stored files no row refers to; deletes only on demand."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from conventions.models import Justificatif
from tests.conventions.factories import ConventionFactory
from tests.conventions.justificatifs.factories import manager_of, pdf_upload, signed_convention

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("cleanup_orphan_files", *args, stdout=out)
    return out.getvalue()


def leftover(settings, name, age_hours=2):
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"partial")
    old = time.time() - age_hours * 3600
    os.utime(path, (old, old))
    return path


def uploaded_justificatif():
    from conventions.justificatifs import services

    convention = signed_convention()
    return services.justificatif_upload(
        user=manager_of(convention),
        convention=convention,
        kind=Justificatif.Kind.COMPTES_ANNUELS,
        upload=pdf_upload(),
    )


def test_dry_run_lists_the_orphans_and_deletes_nothing(settings):
    justificatif = uploaded_justificatif()
    orphan = leftover(settings, "justificatifs/999/abandoned.pdf")
    output = run()
    assert "orphelin : justificatifs/999/abandoned.pdf" in output
    assert justificatif.file.name not in output
    assert "2 fichiers examinés, 1 orphelins" in output
    assert "Simulation" in output
    assert orphan.exists()


def test_delete_removes_only_the_orphans(settings):
    justificatif = uploaded_justificatif()
    orphans = [
        leftover(settings, "justificatifs/999/abandoned.pdf"),
        leftover(settings, "conventions/signed/convention-1-signee.pdf"),
        leftover(settings, "jobs/2024/06/export-12.xlsx"),
    ]
    output = run("--delete")
    assert "3 fichiers orphelins supprimés" in output
    assert not any(path.exists() for path in orphans)
    assert (Path(settings.MEDIA_ROOT) / justificatif.file.name).exists()
    assert "0 orphelins" in run()


def test_recent_files_may_belong_to_a_transaction_in_progress(settings):
    ConventionFactory()
    young = leftover(settings, "justificatifs/5/in-progress.pdf", age_hours=0)
    assert "0 orphelins" in run("--delete")
    assert young.exists()
    assert "1 orphelins" in run("--min-age-minutes", "0")


def test_files_outside_the_application_folders_are_never_touched(settings):
    foreign = leftover(settings, "backups/db.dump")
    run("--delete")
    assert foreign.exists()


def test_a_row_whose_file_is_missing_is_reported(settings):
    justificatif = uploaded_justificatif()
    (Path(settings.MEDIA_ROOT) / justificatif.file.name).unlink()
    assert f"référencé mais absent : {justificatif.file.name}" in run()
