"""The extract of the register: the seed deliberation rendered once for the module, read back."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from deliberations import demo, pdf
from deliberations.models import Deliberation
from grants.demo import load_foundation
from grants.models import Job, Role, User
from tests.factories import ManagerFactory, UserFactory


def load_seed():
    out = io.StringIO()
    context = load_foundation(out, {})
    context.update(demo.load_deliberations(out, context))
    return context


def fetch(pk):
    return Deliberation.objects.select_related(
        "authority", "session__body", "session__presiding", "session__secretary"
    ).get(pk=pk)


@pytest.fixture(scope="module")
def seed_extract(django_db_setup, django_db_blocker):
    """Render the seed's PDF once (about a second) and roll the data back."""
    with django_db_blocker.unblock(), transaction.atomic():
        deliberation = fetch(load_seed()["deliberation_minalogic"].pk)
        data = pdf.extract_data(deliberation)
        content = pdf.render_pdf(
            pdf.extract_html(fetch(deliberation.pk)), authority=deliberation.authority
        )
        transaction.set_rollback(True)
    pages = PdfReader(io.BytesIO(content)).pages
    raw = "\n".join(page.extract_text() for page in pages)
    flat = re.sub(r"\s+", " ", raw.replace("-\n", "-"))
    return {"data": data, "pdf": content, "text": flat, "pages": len(pages)}


def test_the_extract_prints_the_derived_counts(seed_extract):
    text = seed_extract["text"]
    for line in (
        "Nombre de membres en exercice : 68",
        "Nombre de présents : 51",
        "Nombre de pouvoirs : 9",
        "Nombre de voix : 60",
    ):
        assert line in text


def test_the_extract_heads_like_the_register(seed_extract):
    text = seed_extract["text"]
    assert "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS" in text
    assert "SÉANCE DU BUREAU MÉTROPOLITAIN DU 13 JUIN 2024" in text
    assert "DÉLIBÉRATION N°2024.00344" in text
    assert "FILIÈRE INDUSTRIE : ANIMATION DE L'ÉCOSYSTÈME D'INNOVATION POUR L'ANNÉE 2024" in text
    assert "Le Bureau métropolitain a été convoqué le 07 juin 2024" in text
    assert "Président de séance : Mme Sylvie FAYOLLE" in text
    assert "Secrétaire de séance : Mme Siham LABICH" in text


def test_the_extract_names_every_present_member(seed_extract):
    text = seed_extract["text"]
    for name in demo._names(demo.PRESENT):
        assert name in text, name
    assert len(seed_extract["data"]["present"]) == 51


def test_the_extract_prints_each_proxy_as_given(seed_extract):
    text = seed_extract["text"]
    lines = [f"{giver} donne pouvoir à {holder}" for giver, holder in demo.PROXIES]
    assert seed_extract["data"]["proxy_lines"] == lines
    positions = [text.index(line) for line in lines]
    assert positions == sorted(positions)
    assert "Mme Ingrid ARNAUD donne pouvoir à Mme Françoise BERGER" in text
    assert "M. Gaël PERDRIAU donne pouvoir à M. Marc CHASSAUBENE" in text


def test_the_extract_lists_the_absent_excused(seed_extract):
    text = seed_extract["text"]
    start = text.index("Membres titulaires absents excusés :")
    excused = text[start : start + 250]
    for name in demo._names(demo.EXCUSED):
        assert name in excused


def test_the_extract_prints_the_prefecture_block(seed_extract):
    text = seed_extract["text"]
    assert "REÇU EN PRÉFECTURE" in text
    assert "Le 21 juin 2024" in text and "VIA DOTELEC - iXBus" in text
    assert "99_DE-042-244200770-20240613-D20240034410" in text
    assert "Date de mise en ligne : 21 juin 2024" in text


def test_the_extract_prints_statement_decisions_vote_and_signatures(seed_extract):
    text = seed_extract["text"]
    assert "En 2022, l'Etat a lancé un appel à candidature pour la phase V" in text
    assert "Le pôle Minalogic sollicite un soutien global au fonctionnement" in text
    assert "Le Bureau de Saint-Étienne Métropole, après en avoir délibéré :" in text
    assert "subvention de fonctionnement de 62 500 € au pôle Minalogic" in text
    assert "INUM/SUFLI/65748" in text
    assert "Ce dossier a été adopté à l'unanimité." in text
    tail = text[text.index("Ce dossier a été adopté") :]
    for part in (
        "Pour extrait,",
        "La Secrétaire de Séance,",
        "La Première Vice-Présidente,",
        "Siham LABICH",
        "Sylvie FAYOLLE",
    ):
        assert part in tail


def test_the_extract_reads_in_the_registers_order(seed_extract):
    text = seed_extract["text"]
    order = [
        "EXTRAIT DU REGISTRE",
        "Nombre de membres en exercice",
        "Membres titulaires présents :",
        "Pouvoirs :",
        "Membres titulaires absents excusés :",
        "DÉLIBÉRATION DU BUREAU MÉTROPOLITAIN DU 13 JUIN 2024",
        "En 2022, l'Etat",
        "après en avoir délibéré",
        "Ce dossier a été adopté",
        "Pour extrait,",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert seed_extract["pages"] >= 3


# Storage and download: the real PDF bytes stand in for WeasyPrint after the first render.


@pytest.fixture
def stored_render(monkeypatch, seed_extract):
    calls = []

    def render(html, **kwargs):
        calls.append(html)
        return seed_extract["pdf"]

    monkeypatch.setattr(pdf, "render_pdf", render)
    return calls


@pytest.fixture
def seed(db):
    return load_seed()


def download(client, deliberation):
    """The extract: served if up to date, else rendered by the job (run at once by the tests'
    immediate task backend) whose page links to it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(reverse("deliberation_extract", args=[deliberation.pk]))
    if response.status_code == 302 and response.url.startswith("/taches/"):
        job = Job.objects.get(pk=response.url.split("/")[2])
        assert job.status == Job.Status.DONE, job.error
        response = client.get(job.result_url)
    return response


def test_staff_download_the_stored_extract_with_its_sha256(
    client, seed, stored_render, seed_extract, settings
):
    deliberation = seed["deliberation_minalogic"]
    client.force_login(User.objects.get(username="instructeur-sem"))
    response = download(client, deliberation)
    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert content == seed_extract["pdf"]
    assert "extrait-deliberation-2024.00344.pdf" in response["Content-Disposition"]
    deliberation.refresh_from_db()
    assert deliberation.extract_sha256 == hashlib.sha256(content).hexdigest()
    stored = Path(settings.MEDIA_ROOT) / deliberation.extract_pdf.name
    assert stored.read_bytes() == content
    assert len(stored_render) == 1

    response = download(client, deliberation)  # same data: served, not rendered again
    assert b"".join(response.streaming_content) == content and len(stored_render) == 1


def test_the_extract_is_rebuilt_when_the_data_changes(
    client, seed, stored_render, settings, django_capture_on_commit_callbacks
):
    deliberation = seed["deliberation_minalogic"]
    client.force_login(User.objects.get(username="instructeur-sem"))
    download(client, deliberation)
    first = fetch(deliberation.pk)
    detail = client.get(deliberation.get_absolute_url()).text
    assert "À jour" in detail

    deliberation.abstentions = 0
    deliberation.votes_for = 59
    deliberation.not_participating = 1
    deliberation.save()
    detail = client.get(deliberation.get_absolute_url()).text
    assert "Données modifiées depuis" in detail and len(stored_render) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once committed
        download(client, deliberation)
    assert len(stored_render) == 2
    assert "1 membre n'a pas pris part au vote" in stored_render[-1].replace("&#x27;", "'")
    second = fetch(deliberation.pk)
    assert second.extract_source_sha256 != first.extract_source_sha256
    assert list((Path(settings.MEDIA_ROOT) / "deliberations" / "244200770").iterdir()) == [
        Path(settings.MEDIA_ROOT) / second.extract_pdf.name
    ]


def test_a_damaged_stored_file_is_rebuilt(client, seed, stored_render, settings):
    deliberation = seed["deliberation_minalogic"]
    client.force_login(User.objects.get(username="instructeur-sem"))
    download(client, deliberation)
    path = Path(settings.MEDIA_ROOT) / fetch(deliberation.pk).extract_pdf.name
    path.write_bytes(b"tampered")
    response = download(client, deliberation)
    assert b"".join(response.streaming_content) != b"tampered" and len(stored_render) == 2


def test_staff_regenerate_on_demand(client, seed, stored_render):
    deliberation = seed["deliberation_minalogic"]
    client.force_login(User.objects.get(username="instructeur-sem"))
    download(client, deliberation)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("deliberation_extract_regenerate", args=[deliberation.pk]))
    assert len(stored_render) == 2


def test_who_may_download(client, seed, stored_render):
    deliberation = seed["deliberation_minalogic"]
    sem = seed["authorities"]["sem"]
    client.force_login(UserFactory(role=Role.VIEWER, authority=sem))
    assert download(client, deliberation).status_code == 200
    client.force_login(User.objects.get(username="instructeur"))  # Aix-Marseille-Provence
    assert download(client, deliberation).status_code == 404
    client.force_login(ManagerFactory(associations=[seed["minalogic"]]))
    assert download(client, deliberation).status_code == 403


def test_the_file_has_no_public_url(client, seed, stored_render, settings):
    deliberation = seed["deliberation_minalogic"]
    client.force_login(User.objects.get(username="instructeur-sem"))
    download(client, deliberation)
    name = fetch(deliberation.pk).extract_pdf.name
    assert client.get(settings.MEDIA_URL + name).status_code == 404


def test_a_draft_has_no_extract_yet(client, seed, stored_render):
    deliberation = seed["deliberation_minalogic"]
    Deliberation.objects.filter(pk=deliberation.pk).update(votes_for=None)
    client.force_login(User.objects.get(username="instructeur-sem"))
    response = client.get(reverse("deliberation_extract", args=[deliberation.pk]), follow=True)
    assert "L'extrait ne peut pas encore être produit : Le vote n'est pas encore saisi." in (
        response.text.replace("&#x27;", "'")
    )
    assert stored_render == []
