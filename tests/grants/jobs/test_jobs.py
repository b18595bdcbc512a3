"""Background jobs: tasks run by the immediate backend of the tests, one job per double click,
a French error and « Relancer » on failure, and nobody outside the authority sees a job."""

import io
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from conventions.models import Convention
from grants.jobs import services as jobs
from grants.models import Job, Role
from tests.conventions.factories import ConventionFactory
from tests.factories import AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def fake_pdf(convention, user, files=None):
    """Stands for the WeasyPrint rendering (seconds): stores a small PDF the same way."""
    from django.core.files.base import ContentFile

    convention.pdf_file.save(f"c-{convention.pk}.pdf", ContentFile(b"%PDF-1.4 fake"), save=False)
    convention.pdf_sha256 = "0" * 64
    convention.pdf_generated_by = user
    convention.save()
    return b"%PDF-1.4 fake"


@pytest.fixture
def convention():
    return ConventionFactory()


@pytest.fixture
def instructor(convention):
    return UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)


def test_the_pdf_button_enqueues_and_returns_without_rendering(
    client, convention, instructor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS  # a backend that keeps the task without running it
    client.force_login(instructor)
    with (
        mock.patch("conventions.pdf.render_convention_pdf") as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("convention_pdf_generate", args=[convention.pk]))
    render.assert_not_called()
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.kind, job.status, job.owner) == ("convention_pdf", Job.Status.PENDING, instructor)
    assert job.task_result_id  # the task is in the queue
    convention.refresh_from_db()
    assert not convention.pdf_file
    detail = client.get(convention.get_absolute_url()).content.decode()
    assert "PDF en cours de génération : suivre" in detail


def test_a_double_click_enqueues_once(
    client, convention, instructor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    client.force_login(instructor)
    url = reverse("convention_pdf_generate", args=[convention.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post(url)
        second = client.post(url)
    assert first.url == second.url
    assert Job.objects.count() == 1 and len(callbacks) == 1


def test_the_worker_renders_then_the_stored_pdf_is_served(
    client, convention, instructor, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    with (
        mock.patch("conventions.pdf.store_convention_pdf", side_effect=fake_pdf) as store,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("convention_pdf_generate", args=[convention.pk]))
    store.assert_called_once()
    job = Job.objects.get()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 1, 1)
    page = client.get(response.url).content.decode()
    assert "Ouvrir le PDF" in page and job.result_url in page
    state = client.get(reverse("job_status", args=[job.pk])).json()
    assert state["finished"] and state["percent"] == 100 and state["result_url"] == job.result_url
    with mock.patch("conventions.pdf.render_convention_pdf") as render:
        served = client.get(job.result_url)
        render.assert_not_called()
    assert served.status_code == 200 and b"".join(served.streaming_content) == b"%PDF-1.4 fake"
    # A finished job no longer blocks a new request for the same PDF.
    with (
        mock.patch("conventions.pdf.store_convention_pdf", side_effect=fake_pdf),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("convention_pdf_generate", args=[convention.pk]))
    assert Job.objects.count() == 2


def test_a_failure_shows_a_french_error_and_retry_works(
    client, convention, instructor, settings, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("convention_pdf_generate", args=[convention.pk]))
    job = Job.objects.get()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Signed before a worker took the task: the worker refuses, with the business reason.
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.SIGNED_ASSOCIATION)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Impossible de régénérer le PDF : la convention est « Signée")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "La tâche a échoué : Impossible de régénérer le PDF" in page and "Relancer" in page
    assert client.get(reverse("job_status", args=[job.pk])).json()["error"] == job.error

    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.DRAFT)
    with (
        mock.patch("conventions.pdf.store_convention_pdf", side_effect=fake_pdf),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("job_retry", args=[job.pk]))
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (Job.Status.DONE, "", 2)


def test_an_unexpected_error_is_logged_and_shown_in_french(
    convention, instructor, django_capture_on_commit_callbacks
):
    from conventions.jobs import enqueue_convention_pdf

    with (
        mock.patch("conventions.pdf.store_convention_pdf", side_effect=RuntimeError("boom")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job, created = enqueue_convention_pdf(user=instructor, convention=convention)
    job.refresh_from_db()
    assert created and (job.status, job.error) == (Job.Status.FAILED, jobs.UNEXPECTED_ERROR)
    assert "boom" not in job.error  # no technical text for the user


def test_another_authority_gets_404_on_every_job_address(client, convention, instructor):
    job = Job.objects.create(
        kind="convention_pdf",
        label="PDF",
        owner=instructor,
        authority=convention.authority,
        dedup_key="convention_pdf:1",
        status=Job.Status.FAILED,
        error="x",
    )
    stranger = UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory())
    client.force_login(stranger)
    for name in ("job_detail", "job_status", "job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.post(reverse("job_retry", args=[job.pk])).status_code == 404
    client.force_login(instructor)
    state = client.get(reverse("job_status", args=[job.pk])).json()
    assert (state["status"], state["status_label"], state["error"]) == ("echec", "Échec", "x")


def test_a_running_job_left_by_a_dead_worker_is_shown_as_failed(instructor):
    from django.utils import timezone

    job = Job.objects.create(
        kind="export", label="Export", owner=instructor, dedup_key="k", status=Job.Status.RUNNING
    )
    job.started_at = timezone.now() - jobs.STALE_AFTER * 2
    assert jobs.mark_stale(job).status == Job.Status.FAILED
    assert Job.objects.get(pk=job.pk).error == jobs.STALE_ERROR


def test_a_notification_email_is_sent_by_the_task(
    instructor, settings, django_capture_on_commit_callbacks
):
    from conventions.notifications import services as notifications

    settings.TASKS = DUMMY_TASKS
    instructor.email = "agent@example.org"
    instructor.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(instructor, "echeance", "Échéance proche.", "/x/")
    assert mail.outbox == []  # enqueued, not sent by the request
    from django.tasks import default_task_backend

    (result,) = default_task_backend.results
    assert result.task.name == "send_notification_emails_task"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result.task.enqueue(*result.args, **result.kwargs)  # what the worker does
    assert [m.to for m in mail.outbox] == [["agent@example.org"]]
    assert "Échéance proche." in mail.outbox[0].body


def test_the_password_reset_mail_leaves_from_a_task(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="oubli@example.org")
    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "oubli@example.org"})
    assert response.status_code == 302 and mail.outbox == []
    from django.tasks import default_task_backend

    (result,) = default_task_backend.results
    assert result.task.name == "send_email_task"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result.task.enqueue(*result.args, **result.kwargs)
    assert mail.outbox[0].to == ["oubli@example.org"]
    assert "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_the_reminders_command_can_hand_over_to_the_queue(settings):
    from django.core.management import call_command
    from django.tasks import default_task_backend

    settings.TASKS = DUMMY_TASKS
    call_command("send_reminders", "--enqueue", "--date", "2024-06-01", stdout=io.StringIO())
    (result,) = default_task_backend.results
    assert result.task.name == "send_reminders_task" and result.args == ["2024-06-01"]


def test_a_job_nobody_takes_says_so(client, instructor):
    import datetime

    from django.utils import timezone

    job = Job.objects.create(kind="export", label="Export", owner=instructor, dedup_key="k")
    client.force_login(instructor)
    assert "Aucun processus de traitement" not in client.get(job.get_absolute_url()).text
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert "Aucun processus de traitement" in client.get(job.get_absolute_url()).text
