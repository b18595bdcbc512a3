"""The refusal letter: a PDF from the authority's template with the reason, read by staff and
the association's managers only."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from grants.models import Job, LetterTemplate, Role
from grants.requests import rules
from grants.requests.models import SubsidyRequest
from grants.requests.services import request_move
from grants.smallgrants.models import TemplateKind
from tests.factories import AssociationFactory, ManagerFactory, UserFactory
from tests.grants.requests.factories import CampaignFactory, instructed

pytestmark = [
    pytest.mark.django_db,
]

REASON = "Le budget prévisionnel ne fait apparaître aucun cofinancement."


@pytest.fixture
def refused():
    r = instructed(CampaignFactory(), name="Les Amis du Quartier", reference="DEM-2027-0007")
    staff = UserFactory(role=Role.INSTRUCTOR, authority=r.authority)
    return request_move(r, rules.Status.REFUSED, user=staff, actor=rules.STAFF, text=REASON)


def text_of(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def generate(client, subsidy_request, django_capture_on_commit_callbacks):
    staff = UserFactory(role=Role.INSTRUCTOR, authority=subsidy_request.authority)
    client.force_login(staff)
    url = reverse("request_refusal_letter_generate", args=[subsidy_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get(kind="refusal_letter")
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    return SubsidyRequest.objects.get(pk=subsidy_request.pk)


def test_the_refusal_letter_carries_the_reason(client, refused, django_capture_on_commit_callbacks):
    refused = generate(client, refused, django_capture_on_commit_callbacks)
    assert refused.refusal_letter and len(refused.refusal_letter_sha256) == 64

    manager = ManagerFactory(associations=[refused.association])
    client.force_login(manager)
    text = " ".join(text_of(client.get(reverse(
        "request_refusal_letter_download", args=[refused.pk]
    ))).split())  # fmt: skip
    assert "aucun cofinancement" in text
    assert "Les Amis du Quartier" in text
    assert "DEM-2027-0007" in text
    assert "15 000,00 €" in text.replace("\u00a0", " ")


def test_the_authoritys_template_is_used(client, refused, django_capture_on_commit_callbacks):
    LetterTemplate.objects.create(
        authority=refused.authority,
        kind=TemplateKind.REFUSAL,
        title="Décision sur votre dossier",
        body="Dossier {{ request.reference }} : non retenu. Motif : {{ reason }}",
        conditions="Recours possible sous deux mois.",
        signatory_title="La Vice-Présidente déléguée",
    )
    refused = generate(client, refused, django_capture_on_commit_callbacks)
    text = " ".join(text_of(client.get(reverse(
        "request_refusal_letter_download", args=[refused.pk]
    ))).split())  # fmt: skip
    assert "DÉCISION SUR VOTRE DOSSIER" in text.upper() and "La Vice-Présidente déléguée" in text
    assert f"Dossier {refused.reference} : non retenu" in text


def test_who_may_download_it(client, refused, django_capture_on_commit_callbacks):
    refused = generate(client, refused, django_capture_on_commit_callbacks)
    url = reverse("request_refusal_letter_download", args=[refused.pk])
    other_manager = ManagerFactory(associations=[AssociationFactory(authority=refused.authority)])
    cases = [
        (other_manager, 404),
        (UserFactory(role=Role.INSTRUCTOR), 404),  # another authority's staff
        (UserFactory(role=Role.VIEWER, authority=refused.authority), 200),
        (ManagerFactory(associations=[refused.association]), 200),
    ]
    for user, status in cases:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_only_a_refused_request_gets_a_refusal_letter(client, django_capture_on_commit_callbacks):
    r = instructed(CampaignFactory())
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=r.authority))
    url = reverse("request_refusal_letter_generate", args=[r.pk])
    response = client.post(url)
    assert response.url == r.get_absolute_url()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Seule une demande refusée reçoit une lettre de refus" in m for m in said)
    assert not Job.objects.exists()


def test_the_refusal_kind_is_for_templates_only():
    from grants.requests.models import AidScheme
    from grants.smallgrants.models import NotificationLetter

    assert TemplateKind.REFUSAL in dict(LetterTemplate._meta.get_field("kind").choices)
    for model in (NotificationLetter, AidScheme):
        name = "letter_kind" if model is AidScheme else "kind"
        assert TemplateKind.REFUSAL not in dict(model._meta.get_field(name).choices)


def test_the_request_page_include_offers_the_letter_to_each_side(refused):
    from django.template.loader import render_to_string

    def render(user):
        return render_to_string(
            "grants/requests/includes/refusal_letter.html",
            {"subsidy_request": SubsidyRequest.objects.get(pk=refused.pk), "user": user},
        )

    staff = UserFactory(role=Role.INSTRUCTOR, authority=refused.authority)
    manager = ManagerFactory(associations=[refused.association])
    assert "Générer la lettre de refus" in render(staff)
    assert "pas encore disponible" in render(manager)
    assert "Générer" not in render(manager)
    SubsidyRequest.objects.filter(pk=refused.pk).update(refusal_letter="requests/x.pdf")
    download = reverse("request_refusal_letter_download", args=[refused.pk])
    assert download in render(manager) and "Générer" not in render(manager)
    assert "Régénérer la lettre de refus" in render(staff)


def test_a_refusal_template_knows_only_the_fields_of_a_refusal(refused):
    template = LetterTemplate(
        authority=refused.authority,
        kind=TemplateKind.REFUSAL,
        title="Refus",
        body="Motif : {{ reason }} ; montant voté : {{ amount }}",
        conditions="Recours.",
        signatory_title="Le Président",
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "{{ amount }}" in str(error.value.message_dict["body"])
    template.body = "Motif : {{ reason }} ; demandé : {{ amount_requested }}"
    template.full_clean()
