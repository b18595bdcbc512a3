"""After the vote: one job produces the conventions (above 23 000 €) and the notification
letters (23 000 € or less) of the voted requests, once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conventions.models import Convention
from deliberations.models import Deliberation
from grants.models import Job, NotificationLetter, Role
from grants.requests.decisions import deliberation_create_from_requests
from grants.requests.votes import requests_follow_vote
from tests.associations.budgets.factories import AssociationBudgetFactory
from tests.conventions.factories import ConventionTemplateFactory
from tests.factories import UserFactory
from tests.grants.requests.factories import AidSchemeFactory, CampaignFactory, instructed

pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture
def campaign():
    scheme = AidSchemeFactory(name="Culture")
    scheme.convention_template = ConventionTemplateFactory(authority=scheme.authority)
    scheme.save()
    return CampaignFactory(scheme=scheme)


@pytest.fixture
def instructor(client, campaign):
    user = UserFactory(role=Role.INSTRUCTOR, authority=campaign.authority)
    client.force_login(user)
    return user


def voted_deliberation(campaign, instructor, requests, *, adopted=True):
    deliberation = deliberation_create_from_requests(
        instructor,
        campaign,
        requests,
        Deliberation.Kind.LIGHT,
        body_name="Conseil métropolitain",
        session_date=datetime.date(2024, 6, 13),
    )
    if adopted:
        deliberation.votes_for = 50
        deliberation.save()
        requests_follow_vote(deliberation, instructor)
    return deliberation


@pytest.fixture
def two_requests(campaign):
    big = instructed(campaign, proposed="30000.00", name="Grand Théâtre")
    big.yearly_budget = AssociationBudgetFactory(association=big.association, year=campaign.year)
    big.save()
    small = instructed(campaign, proposed="8000.00", name="Petite Chorale")
    return big, small


def test_one_job_makes_the_convention_with_its_pdf_and_the_letter(
    client, campaign, instructor, two_requests, django_capture_on_commit_callbacks
):
    big, small = two_requests
    deliberation = voted_deliberation(campaign, instructor, [big, small])
    url = reverse("deliberation_request_documents", args=[deliberation.pk])
    page = client.get(url).content.decode()
    assert "Convention à créer" in page and "Lettre de notification à générer" in page
    assert "pas encore exécutoire" in page  # the checklist says what still waits

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    job = Job.objects.get(kind="request_documents")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert (job.done, job.total) == (2, 2)
    convention = Convention.objects.get(grants__association=big.association)
    assert convention.amount_total == Decimal("30000.00")
    assert convention.template == campaign.scheme.convention_template
    assert convention.forecast_budget == big.yearly_budget
    assert convention.deliberation == deliberation
    assert convention.pdf_file and len(convention.pdf_sha256) == 64
    letter = NotificationLetter.objects.get(grant__association=small.association)
    assert letter.pdf_file and letter.grant.amount == Decimal("8000.00")
    assert not NotificationLetter.objects.filter(grant__association=big.association).exists()
    assert "1 convention (avec PDF) et 1 lettre de notification produites." in job.message

    # Idempotent: nothing left to do, nothing made twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Job.objects.filter(kind="request_documents").count() == 1
    assert Convention.objects.count() == 1 and NotificationLetter.objects.count() == 1
    assert "Tout est déjà produit" in client.get(url, follow=True).content.decode()


def test_a_double_click_enqueues_one_job(client, campaign, instructor, two_requests, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    deliberation = voted_deliberation(campaign, instructor, list(two_requests))
    url = reverse("deliberation_request_documents", args=[deliberation.pk])
    client.post(url)
    client.post(url)
    assert Job.objects.filter(kind="request_documents").count() == 1


def test_a_failure_is_reported_per_association_and_the_others_go_on(
    client, campaign, instructor, two_requests, django_capture_on_commit_callbacks
):
    big, small = two_requests
    campaign.scheme.convention_template = None
    campaign.scheme.save()
    deliberation = voted_deliberation(campaign, instructor, [big, small])
    url = reverse("deliberation_request_documents", args=[deliberation.pk])
    assert "n&#x27;a pas de modèle de convention" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)

    job = Job.objects.get(kind="request_documents")
    assert job.status == Job.Status.DONE
    assert "Grand Théâtre : Le dispositif « Culture » n'a pas de modèle de convention" in (
        job.message
    )
    assert not Convention.objects.exists()
    assert NotificationLetter.objects.filter(grant__association=small.association).exists()


def test_nothing_is_produced_before_the_vote(client, campaign, instructor, two_requests):
    deliberation = voted_deliberation(campaign, instructor, list(two_requests), adopted=False)
    url = reverse("deliberation_request_documents", args=[deliberation.pk])
    response = client.post(url, follow=True)
    assert "n&#x27;est pas adoptée" in response.content.decode()
    assert not Job.objects.exists()
