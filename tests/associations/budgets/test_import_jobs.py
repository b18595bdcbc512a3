"""A budget workbook above the inline size is imported by a task: same checks, all or nothing."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from grants.models import Job
from tests.associations.budgets.factories import balanced_budget
from tests.associations.budgets.test_import import snapshot, upload, xlsx
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget():
    return balanced_budget()


@pytest.fixture
def instructor(budget):
    return UserFactory(authority=budget.association.authority)


@pytest.fixture
def tiny_limit(settings):
    settings.BUDGET_IMPORT_INLINE_BYTES = 10


def test_a_large_workbook_is_imported_by_the_task(
    client, budget, instructor, tiny_limit, django_capture_on_commit_callbacks
):
    data = xlsx([("64", "Charges de personnel", None), ("641", "Salaires", "2 000"),
                 ("7404", "Métropole", 2000)])  # fmt: skip
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget_import", args=[budget.pk]), {"file": upload(data)})
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.kind, job.status) == ("budget_import", Job.Status.DONE), job.error
    assert not default_storage.exists(job.params["upload"])  # the stored upload is removed
    budget.refresh_from_db()
    assert job.message == f"Import réussi : {budget.lines.count()} lignes enregistrées."
    assert budget.total_charges == Decimal("2000.00")
    page = client.get(job.get_absolute_url()).text
    assert "Voir le budget" in page and budget.get_absolute_url() in page


def test_its_problems_are_listed_with_their_rows_and_nothing_is_saved(
    client, budget, instructor, tiny_limit, django_capture_on_commit_callbacks
):
    before = snapshot(budget)
    data = xlsx([("641", "Salaires", "1000"), ("99", "Compte inconnu", "10")])
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("budget_import", args=[budget.pk]), {"file": upload(data)})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Le classeur n'a pas été importé : rien n'a été enregistré.")
    assert "ligne 3 : Compte « 99 » inconnu" in job.error
    assert snapshot(budget) == before


def test_a_small_workbook_is_still_imported_in_the_request(client, budget, instructor):
    data = xlsx([("64", "Charges de personnel", None), ("641", "Salaires", "10")])
    client.force_login(instructor)
    response = client.post(reverse("budget_import", args=[budget.pk]), {"file": upload(data)})
    assert response.url == budget.get_absolute_url()
    assert not Job.objects.exists()
