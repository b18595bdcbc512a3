"""The association's filing, through its services: steps saved as they go (invalid values kept),
what is missing, and the deposit with its refusals and its versions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from associations.budgets.models import AssociationBudget
from associations.documents.models import PieceKind
from conventions.notifications.models import Notification
from grants.requests import filing
from grants.requests.models import RequestEvent, RequestVersion
from grants.requests.rules import Status
from grants.requests.services import request_move
from grants.templatetags.fr import euros
from tests.associations.bank.factories import BankDetailsFactory
from tests.associations.budgets.factories import AssociationBudgetLineFactory
from tests.associations.documents.factories import AssociationDocumentFactory
from tests.factories import ManagerFactory, UserFactory
from tests.grants.requests.factories import (
    AidSchemeFactory,
    CampaignFactory,
    SubsidyRequestFactory,
    complete_draft,
)

pytestmark = pytest.mark.django_db


def manager(subsidy_request):
    return subsidy_request.created_by


def save(subsidy_request, slug, **data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = value
    return filing.request_save_step(
        user=manager(subsidy_request),
        subsidy_request=subsidy_request,
        step=filing.step_of(slug),
        data=query,
    )


# ---- steps -------------------------------------------------------------------------------------


def test_a_step_saves_what_is_valid_and_keeps_an_invalid_value_as_typed_with_its_error():
    draft = SubsidyRequestFactory()
    result = save(draft, "ressources-humaines", members_count="120", volunteers_count="douze")
    assert result.errors == {"volunteers_count": ["Saisissez un nombre entier."]}
    draft.refresh_from_db()
    assert draft.members_count == 120
    assert draft.volunteers_count is None
    assert draft.draft_data["invalid"] == {"volunteers_count": "douze"}
    # The page shows it again, as typed, with its error.
    form = filing.step_form(filing.step_of("ressources-humaines"), draft)
    assert form["volunteers_count"].value() == "douze"
    assert form.errors["volunteers_count"] == ["Saisissez un nombre entier."]
    assert form["members_count"].value() == "120"
    # Corrected: stored, and the draft forgets it.
    assert (
        save(draft, "ressources-humaines", members_count="120", volunteers_count="12").errors == {}
    )
    draft.refresh_from_db()
    assert draft.volunteers_count == 12 and draft.draft_data["invalid"] == {}


def test_an_invalid_amount_and_email_are_refused_in_french_and_kept():
    draft = SubsidyRequestFactory(amount_requested=Decimal("15000.00"))
    result = save(draft, "montant", amount_requested="-5")
    assert "amount_requested" in result.errors
    draft.refresh_from_db()
    assert draft.amount_requested == Decimal("15000.00")  # the last valid value stays
    assert draft.draft_data["invalid"]["amount_requested"] == "-5"
    result = save(draft, "identification", contact_email="pas-une-adresse")
    assert result.errors["contact_email"] == ["Saisissez une adresse électronique valide."]
    assert any(
        "Courriel" in item.message and "non valide" in item.message
        for item in filing.missing_items(draft)
    )


def test_full_time_equivalents_are_typed_the_french_way_and_checked():
    draft = SubsidyRequestFactory()
    assert save(draft, "ressources-humaines", employees_count="3", employees_fte="2,5").errors == {}
    draft.refresh_from_db()
    assert draft.employees_fte == Decimal("2.5")
    result = save(draft, "ressources-humaines", employees_count="1", employees_fte="2,5")
    assert result.errors["employees_fte"] == [
        "2,5 ETPT pour 1 salarié(s) : un salarié compte au plus pour 1 ETPT."
    ]


def test_the_end_date_cannot_precede_the_start():
    draft = SubsidyRequestFactory()
    result = save(draft, "description", start_date="2027-06-01", end_date="2027-01-31")
    assert result.errors["end_date"] == ["La fin (31/01/2027) précède le début (01/06/2027)."]
    draft.refresh_from_db()
    assert draft.start_date == datetime.date(2027, 6, 1) and draft.end_date is None


def test_resume_goes_to_the_furthest_step_reached():
    draft = SubsidyRequestFactory()
    assert filing.resume_step(draft).slug == "identification"
    filing.request_save_step(
        user=manager(draft),
        subsidy_request=draft,
        step=filing.step_of("relations"),
        data=QueryDict(""),
        reached=filing.step_of("ressources-humaines"),
    )
    save(draft, "identification", contact_name="Claire")
    draft.refresh_from_db()
    assert filing.resume_step(draft).slug == "ressources-humaines"


def test_only_the_association_s_managers_save_a_draft_and_never_once_deposited():
    draft = SubsidyRequestFactory()
    other = ManagerFactory()
    staff = UserFactory(authority=draft.authority)
    for user in (other, staff):
        with pytest.raises(PermissionDenied):
            filing.request_save_step(
                user=user,
                subsidy_request=draft,
                step=filing.step_of("identification"),
                data=QueryDict("contact_name=X"),
            )
    ready = complete_draft()
    filing.request_submit(user=manager(ready), subsidy_request=ready)
    with pytest.raises(PermissionDenied):
        save(ready, "identification", contact_name="Changé après dépôt")


# ---- what is missing, and the refused deposits --------------------------------------------


def messages_of(error):
    return " ".join(error.value.messages)


def test_an_empty_draft_lists_everything_missing_and_is_not_deposited():
    draft = SubsidyRequestFactory(title="", amount_requested=None)
    with pytest.raises(ValidationError) as error:
        filing.request_submit(user=manager(draft), subsidy_request=draft)
    text = messages_of(error)
    for expected in (
        "Indiquez l'intitulé.",
        "Indiquez la description.",
        "Indiquez le montant demandé.",
        "n'est pas saisi",
        "Certifiez exactes et sincères",
        "obligations fiscales et sociales",
        "contrat d'engagement républicain",
        "Pièce manquante : Statuts en vigueur",
        "Pièce manquante : Relevé d'identité bancaire",
    ):
        assert expected in text, expected
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.version == 0 and not draft.reference
    assert not RequestVersion.objects.exists()


def test_a_deposit_after_the_close_date_is_refused_with_the_date():
    ready = complete_draft()
    closes = ready.campaign.closes_on
    with pytest.raises(ValidationError) as error:
        filing.request_submit(
            user=manager(ready), subsidy_request=ready, today=closes + datetime.timedelta(days=1)
        )
    assert f"La campagne est close depuis le {closes:%d/%m/%Y}" in messages_of(error)
    # The last day still takes it.
    filing.request_submit(user=manager(ready), subsidy_request=ready, today=closes)
    assert ready.status == Status.SUBMITTED


def test_an_unbalanced_budget_is_refused_with_both_totals():
    ready = complete_draft()
    AssociationBudgetLineFactory(
        budget=ready.yearly_budget, account="606", amount=Decimal("1234.56")
    )
    ready.yearly_budget.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        filing.request_submit(user=manager(ready), subsidy_request=ready)
    text = messages_of(error)
    assert "n'est pas équilibré" in text
    assert "total des charges 101 234,56 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "total des produits 100 000,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_a_project_scheme_needs_the_project_budget_too():
    scheme = AidSchemeFactory(nature="projet")
    ready = complete_draft(campaign=CampaignFactory(scheme=scheme))
    with pytest.raises(ValidationError) as error:
        filing.request_submit(user=manager(ready), subsidy_request=ready)
    assert "Le budget du projet n'est pas saisi." in messages_of(error)
    budget = filing.request_budget_link(
        user=manager(ready), subsidy_request=ready, which=filing.PROJECT
    )
    assert budget.kind == AssociationBudget.Kind.PROJECT and budget.year == ready.campaign.year
    ready.refresh_from_db()
    assert ready.project_budget == budget
    with pytest.raises(ValidationError) as error:
        filing.request_submit(user=manager(ready), subsidy_request=ready)
    assert "Le budget du projet est vide" in messages_of(error)


def test_the_yearly_budget_reuses_the_association_s_forecast_of_the_year():
    draft = SubsidyRequestFactory()
    existing = AssociationBudget.objects.create(
        association=draft.association, year=draft.campaign.year, kind="previsionnel"
    )
    assert (
        filing.request_budget_link(user=manager(draft), subsidy_request=draft, which="annuel")
        == existing
    )
    other = SubsidyRequestFactory()
    created = filing.request_budget_link(user=manager(other), subsidy_request=other, which="annuel")
    assert created.kind == "previsionnel" and created.lines.count() > 0


def test_an_expired_piece_does_not_count_and_the_validated_rib_does():
    ready = complete_draft()
    statutes = ready.association.documents.get(kind=PieceKind.STATUTES)
    statutes.valid_until = ready.campaign.closes_on - datetime.timedelta(days=1)
    statutes.save()
    ready.association.documents.filter(kind=PieceKind.RIB).delete()
    text = " ".join(item.message for item in filing.missing_items(ready))
    assert "Pièce manquante : Statuts en vigueur" in text
    assert "Relevé d'identité bancaire" in text
    BankDetailsFactory(association=ready.association)
    text = " ".join(item.message for item in filing.missing_items(ready))
    assert "Relevé d'identité bancaire" not in text


def test_old_accounts_do_not_serve_a_later_campaign():
    scheme = AidSchemeFactory(required_pieces=["comptes"])
    draft = SubsidyRequestFactory(campaign=CampaignFactory(scheme=scheme))
    AssociationDocumentFactory(
        association=draft.association, kind="comptes", year=draft.campaign.year - 3
    )
    [row] = filing.request_pieces(draft)
    assert not row.satisfied and "Trop ancien" in row.text


def test_a_manager_of_another_association_cannot_deposit():
    ready = complete_draft()
    with pytest.raises(PermissionDenied):
        filing.request_submit(user=ManagerFactory(), subsidy_request=ready)
    with pytest.raises(PermissionDenied):
        filing.request_submit(user=UserFactory(authority=ready.authority), subsidy_request=ready)
    ready.refresh_from_db()
    assert ready.status == Status.DRAFT


# ---- the deposit ---------------------------------------------------------------------------


def test_the_deposit_records_reference_version_cer_snapshot_event_and_notifications():
    ready = complete_draft()
    user = manager(ready)
    filing.request_submit(user=user, subsidy_request=ready)
    assert ready.status == Status.SUBMITTED
    assert ready.reference == f"DEM-{ready.campaign.year}-0001"
    assert ready.version == 1 and ready.submitted_at is not None
    assert ready.cer_subscribed_by == user and ready.cer_subscribed_at == ready.submitted_at
    assert "cer_accepted" not in ready.draft_data
    version = RequestVersion.objects.get(request=ready)
    assert version.number == 1 and version.submitted_by == user
    data = version.data
    assert data["fields"]["amount_requested"] == "15000.00"
    assert data["fields"]["title"] == "Fonctionnement général"
    assert data["fields"]["cer_subscribed_by_id"] == user.pk
    assert data["association"]["name"] == ready.association.name
    yearly = data["budgets"]["yearly"]
    assert yearly["total_charges"] == yearly["total_products"] == "100000.00"
    assert yearly["grand_total_charges"] == "105000.00"
    assert {line["account"] for line in yearly["lines"]} >= {"641", "7404", "870"}
    documents = {d.kind: d for d in ready.association.documents.all()}
    assert data["pieces"] == [
        {
            "kind": kind,
            "document_id": documents[kind].pk,
            "sha256": documents[kind].sha256,
            "name": documents[kind].original_name,
            "year": documents[kind].year,
            "valid_until": None,
        }
        for kind in ready.campaign.scheme.required_pieces
    ]
    event = RequestEvent.objects.get(request=ready)
    assert (event.from_status, event.to_status, event.author) == (
        Status.DRAFT,
        Status.SUBMITTED,
        user,
    )
    assert Notification.objects.filter(recipient=user, kind=Notification.Kind.REQUEST).exists()


def test_a_second_deposit_is_refused_and_creates_no_second_version():
    ready = complete_draft()
    filing.request_submit(user=manager(ready), subsidy_request=ready)
    stale = type(ready).objects.get(pk=ready.pk)
    stale.status = Status.DRAFT  # the page of the double click, read before the first deposit
    with pytest.raises(ValidationError) as error:
        filing.request_submit(user=manager(ready), subsidy_request=stale)
    when = timezone.localtime(ready.submitted_at)
    assert f"Cette demande a déjà été déposée le {when:%d/%m/%Y}" in messages_of(error)
    assert RequestVersion.objects.filter(request=ready).count() == 1
    ready.refresh_from_db()
    assert ready.version == 1


def test_a_request_to_complete_is_corrected_and_redeposited_as_version_2():
    ready = complete_draft()
    user = manager(ready)
    filing.request_submit(user=user, subsidy_request=ready)
    staff = UserFactory(authority=ready.authority)
    request_move(
        ready, Status.TO_COMPLETE, user=staff, actor="staff", text="Précisez le public visé."
    )
    save(ready, "description", title="Fonctionnement général", description="Corrigée.",
         target_public="Jeunes de 16 à 25 ans")  # fmt: skip
    with pytest.raises(ValidationError) as error:  # the CER is subscribed at each deposit
        filing.request_submit(user=user, subsidy_request=ready)
    assert "contrat d'engagement républicain" in messages_of(error)
    save(ready, "montant", amount_requested="15 000,00", attest_accurate="on",
         attest_obligations="on", signatory_name="Jean DUPONT", cer_accepted="on")  # fmt: skip
    # Past the close date, a correction asked by staff is still taken.
    filing.request_submit(
        user=user,
        subsidy_request=ready,
        today=ready.campaign.closes_on + datetime.timedelta(days=30),
    )
    assert ready.status == Status.SUBMITTED and ready.version == 2
    assert ready.reference == f"DEM-{ready.campaign.year}-0001"
    first, second = RequestVersion.objects.filter(request=ready).order_by("number")
    assert first.data["fields"]["target_public"] == ""
    assert second.data["fields"]["target_public"] == "Jeunes de 16 à 25 ans"


def test_a_deposited_version_reads_in_french_on_its_page(client):
    ready = complete_draft()
    filing.request_submit(user=manager(ready), subsidy_request=ready)
    client.force_login(manager(ready))
    page = client.get(reverse("request_version", args=[ready.pk, 1])).content.decode()
    # The snapshot's fields with their labels and French values, the budget's totals and the
    # pieces used, never the JSON's keys.
    assert "Montant demandé" in page and euros(Decimal("15000.00")) in page
    assert "Animation du réseau des adhérents." in page
    assert "Budget prévisionnel annuel" in page and "charges" in page
    assert "Statuts en vigueur" in page and "SHA-256" in page
    assert "Fields" not in page and "campaign_id" not in page
