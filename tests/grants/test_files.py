"""Files and rows written together: a crash after the file is written leaves neither, and a
replaced file is removed only once the new one is committed."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from conventions import services as convention_services
from conventions.justificatifs import services as justificatif_services
from conventions.models import Convention, ConventionEvent, Justificatif
from grants.files import atomic_with_files
from tests.conventions.justificatifs.factories import (
    manager_of,
    pdf_bytes,
    pdf_upload,
    signed_convention,
    staff_of,
    upload,
)

pytestmark = pytest.mark.django_db


class Crash(Exception):
    pass


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def crash(*args, **kwargs):
    raise Crash("after the file was written")


def test_the_helper_deletes_what_it_wrote_when_the_block_fails(settings):
    convention = signed_convention()
    with pytest.raises(Crash), atomic_with_files() as files:
        files.save(convention.pdf_file, "essai.pdf", ContentFile(b"%PDF-1.4"))
        assert stored_files(settings) == [convention.pdf_file.name]
        raise Crash
    assert stored_files(settings) == []


def test_the_replaced_file_goes_only_once_committed(settings, django_capture_on_commit_callbacks):
    convention = signed_convention()
    with atomic_with_files() as files:
        files.save(convention.pdf_file, "v1.pdf", ContentFile(b"%PDF-1.4 v1"))
    first = convention.pdf_file.name
    with pytest.raises(Crash), atomic_with_files() as files:
        files.save(convention.pdf_file, "v2.pdf", ContentFile(b"%PDF-1.4 v2"))
        raise Crash
    assert stored_files(settings) == [first]  # the failed replacement kept the old file
    convention.pdf_file.name = first
    with django_capture_on_commit_callbacks(execute=True), atomic_with_files() as files:
        files.save(convention.pdf_file, "v2.pdf", ContentFile(b"%PDF-1.4 v2"))
        assert len(stored_files(settings)) == 2
    assert stored_files(settings) == [convention.pdf_file.name]


def test_a_crash_after_a_justificatif_is_written_leaves_no_file_and_no_row(settings, monkeypatch):
    convention = signed_convention()
    manager = manager_of(convention)
    monkeypatch.setattr(justificatif_services.ConventionEvent, "record", crash)
    with pytest.raises(Crash):
        justificatif_services.justificatif_upload(
            user=manager,
            convention=convention,
            kind=Justificatif.Kind.COMPTES_ANNUELS,
            upload=pdf_upload(),
        )
    assert not Justificatif.objects.exists()
    assert stored_files(settings) == []


def test_a_crash_after_the_signed_scan_is_written_keeps_the_previous_scan(settings, monkeypatch):
    convention = signed_convention()
    instructor = staff_of(convention)
    convention_services.upload_signed_copy(
        user=instructor, convention=convention, upload=upload("signee.pdf", pdf_bytes(text="v1"))
    )
    convention.refresh_from_db()
    first = convention.signed_file.name
    first_sha = convention.signed_sha256
    monkeypatch.setattr(convention_services.ConventionEvent, "record", crash)
    with pytest.raises(Crash):
        convention_services.upload_signed_copy(
            user=instructor,
            convention=convention,
            upload=upload("signee.pdf", pdf_bytes(text="v2")),
        )
    convention.refresh_from_db()
    assert convention.signed_file.name == first and convention.signed_sha256 == first_sha
    # The reference copy is still there, unchanged.
    assert stored_files(settings) == [first]
    content = (Path(settings.MEDIA_ROOT) / first).read_bytes()
    assert hashlib.sha256(content).hexdigest() == first_sha
    assert ConventionEvent.objects.filter(action="Exemplaire signé déposé").count() == 1


def test_a_crash_after_the_convention_pdf_is_written_leaves_no_file(settings, monkeypatch):
    convention = signed_convention()
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.READY)
    convention.refresh_from_db()
    monkeypatch.setattr("conventions.pdf.render_convention_pdf", lambda c: b"%PDF-1.4 x")
    monkeypatch.setattr(convention_services.ConventionEvent, "record", crash)
    with pytest.raises(Crash):
        convention_services.generate_pdf(user=staff_of(convention), convention=convention)
    convention.refresh_from_db()
    assert not convention.pdf_file
    assert stored_files(settings) == []
