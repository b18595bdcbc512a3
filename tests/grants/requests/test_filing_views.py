"""The filing pages as the association's manager uses them: from the menu to the deposit, the
background autosave (an invalid value kept and its error returned, 403 once logged out), the
resume, and what other people get on every filing URL."""

import datetime
import html
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from grants.requests.models import RequestVersion, SubsidyRequest
from grants.requests.rules import Status
from tests.associations.budgets.factories import AssociationBudgetLineFactory
from tests.factories import AssociationFactory, ManagerFactory, UserFactory
from tests.grants.requests.factories import (
    AidSchemeFactory,
    CampaignFactory,
    SubsidyRequestFactory,
    complete_draft,
    deposited,
)

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def step_url(subsidy_request, step):
    return reverse("request_step", args=[subsidy_request.pk, step])


def autosave_url(subsidy_request, step):
    return reverse("request_step_autosave", args=[subsidy_request.pk, step])


def filing_urls(subsidy_request):
    pk = subsidy_request.pk
    return [
        reverse("request_resume", args=[pk]),
        *(step_url(subsidy_request, step) for step in ("identification", "recapitulatif")),
        autosave_url(subsidy_request, "montant"),
        reverse("request_budget", args=[pk, "annuel"]),
        reverse("request_submit", args=[pk]),
    ]


# ---- from the menu to a new request --------------------------------------------------------------


def test_a_manager_reaches_a_new_request_from_the_menu_and_chooses_the_association(client):
    campaign = CampaignFactory()
    first = AssociationFactory(authority=campaign.authority, name="Les Amis du Panier")
    second = AssociationFactory(authority=campaign.authority, name="Atelier du Vieux-Port")
    user = ManagerFactory(associations=[first, second])
    client.force_login(user)
    home = client.get(reverse("home"))
    links = {link["label"]: link["url"] for link in home.context["nav_links"]}
    mine = client.get(links["Mes demandes"])
    assert campaign.scheme.name in text(mine) and "Nouvelle demande" in text(mine)
    new_url = reverse("request_new", args=[campaign.pk])
    page = client.get(new_url)
    assert "Pour quelle association ?" in text(page)
    assert "Atelier du Vieux-Port" in text(page) and "Les Amis du Panier" in text(page)
    response = client.post(new_url, {"association": second.pk})
    created = SubsidyRequest.objects.get()
    assert created.association == second and created.status == Status.DRAFT
    assert response.url == step_url(created, "identification")
    page = client.get(response.url)
    assert "Étape 1 sur 8 : Identification" in text(page)
    assert second.name in text(page)
    assert "js/request_autosave.js" in text(page)


def test_my_requests_of_an_account_without_association_leads_to_attaching_it(client):
    """A person who confirmed their account but has not attached their association yet (the
    public page's « Déposer une demande » brings them here) is told why nothing can start and
    where to attach it, not that their association's authority has no open campaign."""
    from tests.grants.accounts.factories import AccountSignupFactory

    signup = AccountSignupFactory(user__is_active=True)
    CampaignFactory(scheme__authority=signup.authority)
    client.force_login(signup.user)
    page = text(client.get(reverse("request_list_mine")))
    assert "n'est encore rattaché à aucune association" in page
    assert reverse("association_attach", args=[signup.authority.siren]) in page
    assert "par la collectivité de votre association" not in page
    assert "Nouvelle demande" not in page


def test_a_closed_campaign_says_so_and_creates_nothing(client):
    campaign = CampaignFactory(
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    association = AssociationFactory(authority=campaign.authority)
    client.force_login(ManagerFactory(associations=[association]))
    response = client.post(reverse("request_new", args=[campaign.pk]))
    assert "n'accepte pas de demande aujourd'hui" in text(response)
    assert not SubsidyRequest.objects.exists()


# ---- steps and autosave --------------------------------------------------------------------------


def test_the_autosave_keeps_an_invalid_value_and_returns_its_error(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    response = client.post(
        autosave_url(draft, "ressources-humaines"),
        {"members_count": "80", "employees_count": "deux"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["saved"] is True
    assert data["errors"] == {"employees_count": ["Saisissez un nombre entier."]}
    draft.refresh_from_db()
    assert draft.members_count == 80
    assert draft.draft_data["invalid"] == {"employees_count": "deux"}
    # Coming back later: the value is there as typed, with its French error.
    page = client.get(step_url(draft, "ressources-humaines"))
    assert 'value="deux"' in text(page)
    assert "Saisissez un nombre entier." in text(page)


def test_the_autosave_answers_403_in_json_once_logged_out_and_nothing_changes(client):
    draft = SubsidyRequestFactory()
    response = client.post(autosave_url(draft, "description"), {"title": "Perdu ?"})
    assert response.status_code == 403
    assert response.json()["error"] == (
        "Vous avez été déconnecté : reconnectez-vous, rien n'est perdu."
    )
    draft.refresh_from_db()
    assert draft.title == "Fonctionnement général"


def test_save_and_continue_goes_to_the_next_step_and_resume_comes_back_there(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    response = client.post(
        step_url(draft, "relations"), {"network": "Fédération régionale", "vat_liable": "on"}
    )
    assert response.url == step_url(draft, "ressources-humaines")
    draft.refresh_from_db()
    assert draft.network == "Fédération régionale" and draft.vat_liable is True
    # The browser closed; another day, « Reprendre ».
    client.logout()
    client.force_login(draft.created_by)
    mine = client.get(reverse("request_list_mine"))
    assert reverse("request_resume", args=[draft.pk]) in text(mine)
    response = client.get(reverse("request_resume", args=[draft.pk]))
    assert response.url == step_url(draft, "ressources-humaines")


def test_an_invalid_submit_of_a_step_stays_on_it_with_the_values_typed(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    response = client.post(
        step_url(draft, "description"),
        {"title": "Projet jardin", "start_date": "2027-05-01", "end_date": "2027-02-01"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "La fin (01/02/2027) précède le début (01/05/2027)." in page
    assert 'value="Projet jardin"' in page and 'value="2027-02-01"' in page
    draft.refresh_from_db()
    assert draft.title == "Projet jardin"


def test_the_amount_step_shows_the_cer_text_and_its_box(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    page = text(client.get(step_url(draft, "montant")))
    assert "Respect des symboles de la République" in page
    assert 'name="cer_accepted"' in page


def test_the_budget_step_creates_the_forecast_and_the_budget_page_comes_back(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    page = text(client.get(step_url(draft, "budgets")))
    assert f"Budget prévisionnel annuel {draft.campaign.year}" in page
    response = client.post(reverse("request_budget", args=[draft.pk, "annuel"]))
    draft.refresh_from_db()
    budget = draft.yearly_budget
    assert budget.year == draft.campaign.year and budget.kind == "previsionnel"
    back = step_url(draft, "budgets")
    assert response.url == f"{reverse('budget_edit', args=[budget.pk])}?retour={back}"
    edit = client.get(response.url)
    assert "Retour à la demande" in text(edit)
    AssociationBudgetLineFactory(budget=budget, account="606", amount="500.00")
    page = text(client.get(back))
    assert "total des charges <strong>500,00 €</strong>" in page
    assert "n'est pas équilibré" in page
    # A budget page opened with a foreign « retour » never sends the user elsewhere.
    evil = client.get(f"{reverse('budget_edit', args=[budget.pk])}?retour=https://evil.example/")
    assert "evil.example" not in text(evil)


def test_the_pieces_step_links_a_missing_piece_to_my_documents(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    page = text(client.get(step_url(draft, "pieces")))
    assert "Manquante" in page
    assert reverse("association_documents", args=[draft.association_id]) in page


def test_a_piece_uploaded_from_the_pieces_step_comes_back_to_it_provided(client):
    """From the step, the upload of a missing piece returns to the step, which shows it
    provided (the manager does not have to find the request again from « Mes demandes »)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conventions.justificatifs.factories import pdf_bytes

    draft = SubsidyRequestFactory(campaign__scheme__required_pieces=["statuts"])
    client.force_login(draft.created_by)
    pieces = step_url(draft, "pieces")
    upload = reverse("association_document_upload", args=[draft.association_id, "statuts"])
    assert f'href="{upload}?retour={pieces}"' in client.get(pieces).text
    response = client.post(
        f"{upload}?retour={pieces}",
        {
            "retour": pieces,
            "file": SimpleUploadedFile("statuts.pdf", pdf_bytes(), "application/pdf"),
        },
    )
    assert response.status_code == 302 and response.url == pieces
    page = text(client.get(pieces))
    assert "Fournie" in page and "Manquante" not in page


# ---- the summary and the deposit -----------------------------------------------------------------


def test_the_summary_lists_what_is_missing_and_the_deposit_refuses_it(client):
    draft = SubsidyRequestFactory(amount_requested=None)
    client.force_login(draft.created_by)
    page = text(client.get(step_url(draft, "recapitulatif")))
    assert "Ce qui manque encore avant le dépôt" in page
    assert "Indiquez le montant demandé." in page
    response = client.post(reverse("request_submit", args=[draft.pk]), follow=True)
    assert "Indiquez le montant demandé." in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_complete_request_is_deposited_once_even_on_a_double_click(client):
    ready = complete_draft()
    client.force_login(ready.created_by)
    page = text(client.get(step_url(ready, "recapitulatif")))
    assert "La demande est complète" in page
    assert "100 000,00 €" in page  # the budget's totals in the summary
    url = reverse("request_submit", args=[ready.pk])
    client.post(url)
    second = client.post(url)
    said = " ".join(str(m) for m in get_messages(second.wsgi_request))
    assert "Cette demande a déjà été déposée le" in said
    ready.refresh_from_db()
    assert ready.status == Status.SUBMITTED and ready.version == 1
    assert RequestVersion.objects.filter(request=ready).count() == 1
    # Deposited: the steps no longer open for editing.
    response = client.get(step_url(ready, "identification"))
    assert response.status_code == 302
    assert client.post(step_url(ready, "identification"), {}).status_code == 403
    assert client.post(autosave_url(ready, "montant"), {}).status_code == 403


def test_the_staff_message_shows_when_a_request_is_to_complete(client):
    ready = deposited(complete_draft(), status=Status.TO_COMPLETE)
    ready.events.create(
        kind="statut", from_status="deposee", to_status="a_completer", text="Joignez le bilan."
    )
    client.force_login(ready.created_by)
    page = text(client.get(step_url(ready, "recapitulatif")))
    assert "Joignez le bilan." in page and "Redéposer la demande corrigée" in page


# ---- who gets what -------------------------------------------------------------------------------


def test_another_association_s_manager_gets_404_on_every_filing_url(client):
    draft = SubsidyRequestFactory()
    neighbour = AssociationFactory(authority=draft.authority)
    client.force_login(ManagerFactory(associations=[neighbour]))
    for url in filing_urls(draft):
        assert client.post(url).status_code == 404, url
    for url in filing_urls(draft)[:3]:  # the pages (the others take POST only)
        assert client.get(url).status_code == 404, url
    draft.refresh_from_db()
    assert draft.draft_data == {} and draft.status == Status.DRAFT


def test_staff_cannot_open_a_draft_nor_edit_a_deposited_request(client):
    draft = SubsidyRequestFactory()
    client.force_login(UserFactory(authority=draft.authority))
    for url in filing_urls(draft):
        assert client.post(url).status_code == 404, url
    ready = deposited(complete_draft(campaign=draft.campaign))
    client.force_login(UserFactory(authority=draft.authority))
    assert client.post(step_url(ready, "identification"), {}).status_code == 403
    assert client.post(reverse("request_submit", args=[ready.pk])).status_code == 403
    assert client.post(reverse("request_new", args=[draft.campaign.pk])).status_code == 403


def test_another_authority_s_campaign_is_not_offered_nor_reachable(client):
    campaign = CampaignFactory()
    other = CampaignFactory(scheme=AidSchemeFactory())
    association = AssociationFactory(authority=campaign.authority)
    client.force_login(ManagerFactory(associations=[association]))
    page = text(client.get(reverse("request_list_mine")))
    assert campaign.scheme.name in page and other.scheme.name not in page
    assert client.get(reverse("request_new", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("rows", [1, 8])
def test_my_requests_runs_a_fixed_number_of_queries(client, rows, django_assert_max_num_queries):
    campaign = CampaignFactory()
    association = AssociationFactory(authority=campaign.authority)
    user = ManagerFactory(associations=[association])
    for i in range(rows):
        SubsidyRequestFactory(
            campaign=CampaignFactory(scheme=AidSchemeFactory(authority=campaign.authority)),
            association=association,
            created_by=user,
            title=f"Demande {i}",
        )
    client.force_login(user)
    # session, user, associations, requests, campaigns, managed (menu)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("request_list_mine"))
    assert len(response.context["requests"]) == rows


def test_the_manager_home_shows_the_requests_in_progress(client):
    draft = SubsidyRequestFactory(title="Jardins d'été")
    client.force_login(draft.created_by)
    page = text(client.get(reverse("home")))
    assert "Demandes de subvention en cours" in page and "Jardins d'été" in page
    assert reverse("request_resume", args=[draft.pk]) in page


def test_json_of_the_autosave_is_valid_for_an_unknown_step(client):
    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    response = client.post(autosave_url(draft, "inconnue"), {})
    assert response.status_code == 404 and json.loads(response.content)["error"]


def test_another_authority_s_staff_get_404_on_a_deposited_request(client):
    ready = deposited(complete_draft())
    client.force_login(UserFactory())  # an instructor of another authority
    for url in filing_urls(ready):
        assert client.post(url).status_code == 404, url
    assert (
        client.get(reverse("association_documents", args=[ready.association_id])).status_code == 404
    )
