"""Large exports run in a background thread; the requester follows them and downloads the file."""

import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.finance import export_jobs, exports
from grants.models import ExportJob
from tests.factories import AuthorityFactory
from tests.grants.finance.factories import BudgetLineFactory, finance_of, instructor_of


@pytest.fixture
def small_limit(settings):
    settings.FINANCE_EXPORT_INLINE_LIMIT = 2


def make_lines(authority, count=3):
    for _ in range(count):
        BudgetLineFactory(authority=authority, year=2024)


@pytest.mark.django_db
def test_small_exports_stream_in_the_response(client, small_limit):
    authority = AuthorityFactory()
    make_lines(authority, 2)
    client.force_login(finance_of(authority))
    response = client.get(reverse("budget_line_export"))
    assert response.streaming
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_large_export_becomes_a_job_with_progress_then_a_download(
    client, small_limit, django_capture_on_commit_callbacks
):
    authority = AuthorityFactory()
    make_lines(authority, 3)
    user = finance_of(authority)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("budget_line_export"), {"year": 2024})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.user, job.kind, job.rows_total, job.query) == (user, "lignes", 3, "year=2024")
    assert len(callbacks) == 1  # the thread starts once the job row is committed

    page = client.get(job.get_absolute_url()).content.decode()
    assert "0 lignes sur 3" in page
    assert 'http-equiv="refresh"' in page
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404

    export_jobs.run_export_job(job.pk)  # what the thread runs
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 3)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Télécharger" in page and 'http-equiv="refresh"' not in page
    response = client.get(reverse("export_job_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Lignes budgétaires"]
    assert sheet.max_row == 5  # header, three lines, totals
    assert sheet["I5"].value == "=SUBTOTAL(9,I2:I4)"


@pytest.mark.django_db
def test_only_the_requester_sees_a_job(client, small_limit):
    authority = AuthorityFactory()
    job = ExportJob.objects.create(
        user=finance_of(authority), kind="lignes", filename="lignes.xlsx", rows_total=3
    )
    client.force_login(instructor_of(authority))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_failed_export_is_reported(client, monkeypatch):
    authority = AuthorityFactory()
    user = finance_of(authority)
    job = ExportJob.objects.create(user=user, kind="lignes", filename="l.xlsx", rows_total=1)

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exports, "write_workbook", broken)
    export_jobs.run_export_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "disque plein")
    client.force_login(user)
    assert "disque plein" in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_process_is_shown_as_failed():
    job = ExportJob.objects.create(
        user=finance_of(AuthorityFactory()), kind="lignes", filename="l.xlsx", rows_total=1
    )
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - export_jobs.STALE_AFTER * 2
    )
    job.refresh_from_db()
    assert export_jobs.mark_stale(job).status == ExportJob.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_writes_the_file(small_limit):
    authority = AuthorityFactory()
    make_lines(authority, 3)
    user = finance_of(authority)
    spec = exports.spec_for("lignes")
    from django.http import QueryDict

    filterset = spec.filterset(user, QueryDict(""))
    job = export_jobs.start_export(spec, filterset, user, "", 3)  # autocommit: starts now
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.rows_done == 3
    with job.file.open("rb") as handle:
        assert load_workbook(handle)["Lignes budgétaires"].max_row == 5
