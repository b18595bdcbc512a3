"""Bulk convention PDFs of a deliberation and the register extract, as background jobs."""

from unittest import mock

import pytest
from django.urls import reverse

from conventions.models import Convention
from grants.models import Job, Role
from tests.conventions.factories import ConventionFactory
from tests.deliberations.factories import DeliberationFactory, adopted_deliberation
from tests.factories import AssociationFactory, UserFactory
from tests.grants.jobs.test_jobs import DUMMY_TASKS, fake_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliberation():
    return DeliberationFactory()


def conventions_for(deliberation, statuses):
    return [
        ConventionFactory(
            association=AssociationFactory(authority=deliberation.authority, name=f"Asso {i}"),
            deliberation=deliberation,
            status=status,
        )
        for i, status in enumerate(statuses)
    ]


def test_every_convention_pdf_of_a_deliberation_in_one_job_with_progress(
    client, deliberation, django_capture_on_commit_callbacks
):
    draft, ready, signed = conventions_for(
        deliberation,
        [Convention.Status.DRAFT, Convention.Status.READY, Convention.Status.SIGNED_ASSOCIATION],
    )
    ConventionFactory()  # another authority's convention: untouched
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=deliberation.authority))
    page = client.get(deliberation.get_absolute_url()).text
    assert (
        "3 conventions rattachées" in page and "Générer les PDF de toutes les conventions" in page
    )
    progress = []
    original = fake_pdf

    def store(convention, user, files=None):
        progress.append(Job.objects.get().done)  # what the page shows while it runs
        return original(convention, user)

    with (
        mock.patch("conventions.pdf.store_convention_pdf", side_effect=store),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("deliberation_convention_pdfs", args=[deliberation.pk]))
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert progress == [0, 1]  # two conventions, one after the other
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 2, 2)
    assert job.message == "2 PDF de convention générés."
    assert [bool(Convention.objects.get(pk=c.pk).pdf_file) for c in (draft, ready, signed)] == [
        True,
        True,
        False,
    ]


def test_bulk_generation_is_for_instructors_and_needs_a_convention_to_generate(
    client, deliberation
):
    conventions_for(deliberation, [Convention.Status.SIGNED_ASSOCIATION])
    url = reverse("deliberation_convention_pdfs", args=[deliberation.pk])
    client.force_login(UserFactory(role=Role.VIEWER, authority=deliberation.authority))
    assert client.post(url).status_code == 403
    client.force_login(UserFactory(role=Role.INSTRUCTOR))  # another authority
    assert client.post(url).status_code == 404
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=deliberation.authority))
    response = client.post(url, follow=True)
    assert "Aucune convention de cette délibération" in response.text
    assert not Job.objects.exists()


def test_the_extract_request_enqueues_without_rendering(
    client, settings, django_capture_on_commit_callbacks
):
    deliberation = adopted_deliberation()
    settings.TASKS = DUMMY_TASKS
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=deliberation.authority))
    with (
        mock.patch("deliberations.pdf.render_pdf") as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = client.get(reverse("deliberation_extract", args=[deliberation.pk]))
        second = client.get(reverse("deliberation_extract", args=[deliberation.pk]))
    render.assert_not_called()
    job = Job.objects.get()
    assert first.url == second.url == job.get_absolute_url()
    assert (job.kind, job.status) == ("deliberation_extract", Job.Status.PENDING)
    page = client.get(deliberation.get_absolute_url()).text
    assert "Extrait en cours de génération : suivre" in page
