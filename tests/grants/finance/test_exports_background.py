"""Large exports become background jobs; the requester follows them and downloads the file."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.finance import exports
from grants.jobs import services as jobs
from grants.models import Job
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
    assert not Job.objects.exists()


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
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.owner, job.kind, job.total) == (user, "export", 3)
    assert job.params == {"export": "lignes", "query": "year=2024"}
    assert len(callbacks) == 1  # the task is enqueued once the job row is committed

    page = client.get(job.get_absolute_url()).content.decode()
    assert "En attente de traitement" in page
    assert "js/job-progress.js" in page
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404

    callbacks[0]()  # enqueue: the immediate backend of the tests runs the task now
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 3, 3)
    assert job.task_result_id
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"Télécharger {job.filename}" in page and "job-progress.js" not in page
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Lignes budgétaires"]
    assert sheet.max_row == 5  # header, three lines, totals
    assert sheet["I5"].value == "=SUBTOTAL(9,I2:I4)"
    # The former addresses still answer.
    assert client.get(reverse("export_job_detail", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_the_same_export_twice_is_one_job(client, small_limit, django_capture_on_commit_callbacks):
    authority = AuthorityFactory()
    make_lines(authority, 3)
    client.force_login(finance_of(authority))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.get(reverse("budget_line_export"), {"year": 2024})
        second = client.get(reverse("budget_line_export"), {"year": 2024})
    assert first.url == second.url
    assert Job.objects.count() == 1 and len(callbacks) == 1


@pytest.mark.django_db
def test_only_the_requester_s_authority_sees_a_job(client, small_limit):
    authority = AuthorityFactory()
    job = Job.objects.create(
        owner=finance_of(authority),
        authority=authority,
        kind="export",
        label="Export",
        dedup_key="k",
    )
    client.force_login(finance_of(AuthorityFactory()))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    client.force_login(instructor_of(authority))  # a colleague of the same authority
    assert client.get(job.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_failed_export_is_reported_in_french_and_can_be_retried(
    client, monkeypatch, small_limit, django_capture_on_commit_callbacks
):
    authority = AuthorityFactory()
    make_lines(authority, 3)
    user = finance_of(authority)
    client.force_login(user)

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exports, "write_workbook", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("budget_line_export"), {"year": 2024})
    job = Job.objects.get()
    assert (job.status, job.error) == (Job.Status.FAILED, jobs.UNEXPECTED_ERROR)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "La tâche a échoué : Une erreur inattendue" in page and "Relancer" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_retry", args=[job.pk]))
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (Job.Status.DONE, "", 2)
    assert job.file
