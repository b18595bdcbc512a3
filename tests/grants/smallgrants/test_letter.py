"""The notification letter (or arrêté attributif): its PDF text, its template, its fingerprint
and who may generate or download it."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from grants.finance.services import payment_reject
from grants.jobs import services as jobs
from grants.models import Job, LetterTemplate, NotificationLetter
from grants.smallgrants import services
from grants.smallgrants.models import LetterKind
from tests.grants.jobs.test_jobs import DUMMY_TASKS
from tests.grants.smallgrants.factories import light_deliberation, people, small_grant

pytestmark = pytest.mark.django_db


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def stored_text(letter):
    with letter.pdf_file.open("rb") as handle:
        return pdf_text(handle.read())


def test_the_letter_prints_the_amount_in_figures_and_words_and_the_conditions():
    grant = small_grant(specific_expense=True)
    instructor = people(grant.authority, grant.association)["instructor"]
    letter = services.letter_generate(grant=grant, user=instructor)
    text = " ".join(stored_text(letter).split())
    assert "8 000,00 €" in text
    assert "huit mille euros" in text
    assert "Ateliers scientifiques dans les quartiers" in text
    assert "délibération n° 2024.001 du 13/06/2024" in text
    assert "Conseil métropolitain" in text
    assert "versée en une seule fois" in text
    # Affected to a specific expense: the compte rendu financier, due six months after 2024.
    assert "Cerfa n° 15059" in text and "30/06/2025" in text
    assert letter.reference == f"LN-2024-{grant.pk:05d}"
    with letter.pdf_file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.pdf_sha256
    assert letter.generated_by == instructor


def test_without_a_specific_expense_no_financial_report_is_asked():
    grant = small_grant()
    instructor = people(grant.authority, grant.association)["instructor"]
    text = stored_text(services.letter_generate(grant=grant, user=instructor))
    assert "15059" not in text
    assert "documents comptables" in text


def test_the_authority_template_and_the_arrete(fake_letter):
    grant = small_grant()
    LetterTemplate.objects.create(
        authority=grant.authority,
        kind=LetterKind.ARRETE,
        title="Arrêté n° {{ reference }}",
        body="Subvention de {{ amount }} à {{ association.name }}.",
        conditions="Versement unique.",
        signatory_title="Le Vice-Président délégué",
    )
    from grants.smallgrants.pdf import render_letter_html

    html = render_letter_html(grant, kind=LetterKind.ARRETE, reference="AA-2024-1")
    assert "Subvention de 8&nbsp;000,00&nbsp;€ à Les Petits Débrouillards." in html
    assert "Le Vice-Président délégué" in html
    instructor = people(grant.authority, grant.association)["instructor"]
    letter = services.letter_generate(grant=grant, user=instructor, kind=LetterKind.ARRETE)
    assert letter.reference.startswith("AA-2024-")


def test_user_text_never_reaches_the_style_and_markdown_is_escaped(fake_letter):
    grant = small_grant()
    grant.object = "</style><script>alert(1)</script> **gras** [lien](http://evil.example)"
    grant.save()
    from grants.smallgrants.pdf import render_letter_html

    html = render_letter_html(grant, reference="LN-1")
    style = html.split("<style>")[1].split("</style>")[0]
    assert "alert" not in style and "script" not in style
    assert "<script>" not in html
    assert 'href="http://evil.example"' not in html


def test_no_letter_for_a_grant_that_needs_a_convention_or_an_unvoted_deliberation(fake_letter):
    grant = small_grant(amount="30000.00")
    instructor = people(grant.authority, grant.association)["instructor"]
    with pytest.raises(ValidationError, match="convention signée est obligatoire"):
        services.letter_generate(grant=grant, user=instructor)
    draft = light_deliberation(grant.authority, executory=False, number="2024.9", votes_for=None,
                               votes_against=0, abstentions=0)  # fmt: skip
    small = small_grant(grant.authority, deliberation=draft, association=grant.association)
    with pytest.raises(ValidationError, match="n'est pas adoptée"):
        services.letter_generate(grant=small, user=instructor)
    assert not NotificationLetter.objects.exists()


def test_only_the_authority_instructors_generate_it(fake_letter):
    grant = small_grant()
    p = people(grant.authority, grant.association)
    for name in ("finance", "manager", "foreign_instructor"):
        with pytest.raises(PermissionDenied):
            services.letter_generate(grant=grant, user=p[name])


def test_the_notified_letter_is_frozen_once_the_payment_is_requested(fake_letter):
    grant = small_grant()
    p = people(grant.authority, grant.association)
    services.letter_generate(grant=grant, user=p["instructor"])
    services.letter_generate(grant=grant, user=p["instructor"])  # regenerated: still possible
    services.single_payment_request(
        grant=grant, user=p["manager"], signer_name="Marie MARTIN", certified=True
    )
    with pytest.raises(ValidationError, match="n'est plus régénérée"):
        services.letter_generate(grant=grant, user=p["instructor"])
    assert NotificationLetter.objects.filter(grant=grant).count() == 1


def test_the_letter_is_not_before_the_deliberation(fake_letter):
    import datetime

    grant = small_grant()
    instructor = people(grant.authority, grant.association)["instructor"]
    with pytest.raises(ValidationError, match="ne peut pas précéder la délibération"):
        services.letter_generate(grant=grant, user=instructor, date=datetime.date(2024, 6, 1))


def test_the_page_generates_and_the_manager_downloads(
    client, fake_letter, django_capture_on_commit_callbacks
):
    grant = small_grant()
    p = people(grant.authority, grant.association)
    client.force_login(p["manager"])
    page = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert "Générer la lettre" not in page
    assert client.get(reverse("small_grant_letter_download", args=[grant.pk])).status_code == 404
    assert (
        client.post(reverse("small_grant_letter_generate", args=[grant.pk]), {}).status_code == 403
    )
    client.force_login(p["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("small_grant_letter_generate", args=[grant.pk]),
            {"kind": "notification", "date": "20/06/2024"},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    letter = NotificationLetter.objects.get(grant=grant)
    assert letter.date.isoformat() == "2024-06-20"
    assert letter.generated_by == p["instructor"]
    client.force_login(p["manager"])
    response = client.get(reverse("small_grant_letter_download", args=[grant.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# ---- the letter as a background job ------------------------------------------------------------


def generate(client, grant, data=None):
    return client.post(
        reverse("small_grant_letter_generate", args=[grant.pk]),
        data or {"kind": "notification", "date": "20/06/2024"},
    )


def test_the_button_enqueues_once_and_returns_without_rendering(
    client, fake_letter, settings, django_capture_on_commit_callbacks
):
    grant = small_grant()
    settings.TASKS = DUMMY_TASKS  # a backend that keeps the task without running it
    client.force_login(people(grant.authority, grant.association)["instructor"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = generate(client, grant)
        second = generate(client, grant)  # a double click
    job = Job.objects.get()
    assert first.url == second.url == job.get_absolute_url()
    assert len(callbacks) == 1 and job.task_result_id
    assert (job.kind, job.status, job.params["date"]) == (
        "notification_letter",
        Job.Status.PENDING,
        "2024-06-20",
    )
    assert fake_letter == [] and not NotificationLetter.objects.exists()
    page = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert "Lettre en cours de génération : suivre" in page
    # No second form meanwhile.
    assert reverse("small_grant_letter_generate", args=[grant.pk]) not in page
    assert "En attente de traitement" in client.get(job.get_absolute_url()).text


def test_the_job_page_shows_the_progress_then_links_to_the_stored_letter(
    client, fake_letter, django_capture_on_commit_callbacks
):
    grant = small_grant()
    client.force_login(people(grant.authority, grant.association)["instructor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = generate(client, grant)
    job = Job.objects.get()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 1, 1)
    letter = NotificationLetter.objects.get(grant=grant)
    page = client.get(response.url).text
    assert f"Lettre de notification n° {letter.reference} générée" in page
    assert "Ouvrir la lettre (PDF)" in page and job.result_url in page
    assert client.get(reverse("job_status", args=[job.pk])).json()["percent"] == 100
    detail = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert f"Lettre de notification n° {letter.reference}" in detail
    assert "Régénérer la lettre" in detail  # the finished job no longer blocks the form


def test_what_can_be_checked_at_once_is_refused_without_a_job(client, fake_letter):
    grant = small_grant()
    client.force_login(people(grant.authority, grant.association)["instructor"])
    response = generate(client, grant, {"kind": "notification", "date": "01/06/2024"})
    assert response.url == reverse("small_grant_detail", args=[grant.pk])
    page = client.get(response.url).text
    assert "La lettre ne peut pas précéder la délibération du 13/06/2024." in page
    assert not Job.objects.exists() and fake_letter == []


def test_a_refusal_in_the_worker_shows_a_french_error_and_retry_works(
    client, fake_letter, settings, django_capture_on_commit_callbacks
):
    grant = small_grant()
    p = people(grant.authority, grant.association)
    client.force_login(p["instructor"])
    services.letter_generate(grant=grant, user=p["instructor"])
    settings.TASKS = DUMMY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        generate(client, grant)  # regenerate: enqueued…
    job = Job.objects.get()
    # …but the versement unique is requested before a worker takes the task.
    payment = services.single_payment_request(
        grant=grant, user=p["manager"], signer_name="Marie MARTIN", certified=True
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "Le versement unique est déjà demandé : la lettre notifiée n'est plus régénérée."
    )
    page = client.get(job.get_absolute_url()).text
    assert "La tâche a échoué : Le versement unique est déjà demandé" in page
    assert "Relancer" in page
    # The payment is rejected: the letter may be regenerated again, and « Relancer » does it.
    payment_reject(payment, p["instructor"], reason="Lettre à corriger avant le versement.")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_retry", args=[job.pk]))
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (Job.Status.DONE, "", 2)
    assert len(fake_letter) == 2
