"""The association manager's home: what is due and when, their conventions (with the PDF through
the permission-checked view), their payments, empty states and a fixed query count."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from associations.indicators.models import IndicatorReport
from conventions.justificatifs import services
from conventions.models import Convention, Justificatif
from grants.finance.models import Payment
from tests.associations.indicators.factories import IndicatorReportFactory, IndicatorSetFactory
from tests.conventions.factories import ConventionFactory, JustificatifFactory
from tests.conventions.justificatifs.factories import (
    in_status,
    manager_of,
    pdf_bytes,
    pdf_upload,
    signed_convention,
    staff_of,
)
from tests.factories import ManagerFactory
from tests.grants.finance.factories import CommitmentFactory, PaymentFactory

pytestmark = pytest.mark.django_db

Kind = Justificatif.Kind


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 9, tzinfo=datetime.UTC))


@pytest.fixture
def convention():
    return signed_convention(number="2023-SCS-01")


@pytest.fixture
def manager(convention):
    return manager_of(convention, first_name="Claire")


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def titles(response):
    return [task.title for task in response.context["tasks"]]


def test_a_manager_without_association_sees_one_empty_state_with_the_attach_link(client):
    page = home(client, ManagerFactory()).content.decode()
    assert "Votre compte n'est encore rattaché à aucune association." in page
    assert reverse("association_attach_start") in page
    # Not an empty dashboard: the sections of an association's files wait for one.
    assert "Rien à faire pour le moment." not in page
    assert "Aucune convention pour le moment." not in page


def test_the_to_do_list_dates_the_pieces_and_offers_the_advance(client, convention, manager):
    with on(2024, 3, 1):
        response = home(client, manager)
    assert titles(response) == [
        "Demander l'acompte",
        "Déposer : Comptes annuels (bilan, compte de résultat, annexe)",
        "Déposer : Rapport d'activité de l'année écoulée",
        "Déposer : Procès-verbal de l'assemblée générale approuvant les comptes",
    ]
    advance, first = response.context["tasks"][:2]
    assert advance.due is None
    assert advance.url == reverse("payment_request", args=[convention.pk, "acompte"])
    assert convention.amount_total == Decimal("62500.00")
    assert advance.detail == (
        "Convention n° 2023-SCS-01 ("
        + convention.association.name
        + ", 2023) : jusqu'à 50\u00a0000,00\u00a0€, soit 80\u00a0% du montant voté (art. 4.3)."
    )
    assert first.due == datetime.date(2024, 6, 30) and not first.overdue
    assert first.url == reverse("justificatif_upload", args=[convention.pk, Kind.COMPTES_ANNUELS])
    page = response.content.decode()
    assert "30/06/2024" in page and "Dès maintenant" in page and "En retard" not in page


def test_overdue_pieces_come_first_and_are_marked(client, convention, manager):
    with on(2024, 7, 2):
        response = home(client, manager)
    tasks = response.context["tasks"]
    assert [t.overdue for t in tasks] == [True, True, True, False]
    assert tasks[-1].title == "Demander l'acompte"
    assert response.content.decode().count('<span class="badge badge-err">En retard</span>') == 4


def test_a_rejected_piece_asks_for_a_corrected_version_with_the_reason(client, convention, manager):
    piece = services.justificatif_upload(
        user=manager, convention=convention, kind=Kind.PV_AG, upload=pdf_upload()
    )
    services.justificatif_reject(
        user=staff_of(convention), justificatif=piece, reason="Le PV n'est pas signé."
    )
    response = home(client, manager)
    task = next(t for t in response.context["tasks"] if "Procès-verbal" in t.title)
    assert task.title.startswith("Déposer une version corrigée")
    assert task.detail.endswith("refusé : Le PV n'est pas signé.")


def test_the_balance_is_offered_once_the_pieces_are_accepted(client, convention, manager):
    PaymentFactory(convention=convention, requested_by=manager, amount=Decimal("1000.00"))
    for kind in convention.required_justificatif_kinds:
        JustificatifFactory(convention=convention, kind=kind, status="accepte")
    response = home(client, manager)
    assert titles(response) == ["Demander le solde"]
    assert response.context["tasks"][0].url == reverse(
        "payment_request", args=[convention.pk, "solde"]
    )
    PaymentFactory(
        convention=convention, kind=Payment.Kind.BALANCE, requested_by=manager,
        amount=Decimal("1000.00"), amount_due=Decimal("66000.00"),
    )  # fmt: skip
    assert titles(home(client, manager)) == []


def test_the_annex_v_indicators_are_due_with_the_pieces(client, convention, manager):
    association = convention.association
    indicator_set = IndicatorSetFactory(
        authority=convention.authority, structure_type=association.structure_type, year=2023
    )
    IndicatorSetFactory(
        authority=convention.authority, structure_type=association.structure_type, year=2024
    )
    with on(2024, 3, 1):
        response = home(client, manager)
    task = next(t for t in response.context["tasks"] if "indicateurs" in t.title)
    assert task.title == "Renseigner les indicateurs 2023"
    assert task.due == datetime.date(2024, 6, 30)
    assert task.url == reverse("indicator_report_edit", args=[association.pk, indicator_set.pk])
    report = IndicatorReportFactory(indicator_set=indicator_set, association=association)
    titles_now = titles(home(client, manager))
    assert "Terminer et soumettre les indicateurs 2023" in titles_now
    IndicatorReport.objects.filter(pk=report.pk).update(
        status="soumis", submitted_at=timezone.now()
    )
    assert not [t for t in titles(home(client, manager)) if "indicateurs" in t]


def test_a_convention_ready_for_signature_is_listed(client, convention, manager):
    in_status(convention, Convention.Status.READY)
    response = home(client, manager)
    assert titles(response) == ["Signer la convention"]


def test_the_conventions_table_links_the_pdf_through_the_checked_view(client, convention, manager):
    convention.pdf_file.save("c.pdf", ContentFile(pdf_bytes()), save=True)
    page = home(client, manager).content.decode()
    pdf_url = reverse("convention_pdf", args=[convention.pk]) + "?version=genere"
    assert pdf_url in page
    assert client.get(pdf_url).status_code == 200
    convention.signed_file.save("s.pdf", ContentFile(pdf_bytes(pages=2)), save=True)
    page = home(client, manager).content.decode()
    assert "Convention signée (PDF)" in page
    client.force_login(ManagerFactory(associations=[]))
    assert client.get(pdf_url).status_code == 404


def test_only_the_manager_s_own_conventions_and_payments_show(client, convention, manager):
    other = signed_convention(number="AUTRE-01")
    PaymentFactory(convention=other, requested_by=manager_of(other))
    ConventionFactory(association=convention.association, number="BROUILLON")  # a draft
    page = home(client, manager).content.decode()
    assert "2023-SCS-01" in page
    assert "AUTRE-01" not in page and "BROUILLON" not in page
    assert "Aucune demande de versement pour le moment." in page


def test_the_payments_table_shows_the_order(client, convention, manager):
    PaymentFactory(
        convention=convention, requested_by=manager, status=Payment.Status.PAID,
        certified_at=timezone.now(), certified_by=staff_of(convention),
        order_number="2023-M-004512", order_date=datetime.date(2023, 6, 5),
        ordered_by=staff_of(convention), paid_date=datetime.date(2023, 6, 12),
        commitment=CommitmentFactory(grant=convention.grants.get(), budget_line__year=2023),
    )  # fmt: skip
    page = home(client, manager).content.decode()
    assert "mandat n° 2023-M-004512 du 05/06/2023" in page
    assert "payé le 12/06/2023" in page


@pytest.mark.parametrize("count", [2, 12])
def test_the_home_page_runs_a_fixed_number_of_queries(client, count, django_assert_num_queries):
    manager = ManagerFactory()
    for i in range(count):
        convention = signed_convention(number=f"N-{i}")
        manager.managed_associations.add(convention.association)
        JustificatifFactory(convention=convention, kind=Kind.PV_AG)
        PaymentFactory(convention=convention, requested_by=manager)
    client.force_login(manager)
    # session, user, associations, conventions, grants, budget lines (none: skipped),
    # justificatifs, payments prefetch, indicator sets, payments list, grants list,
    # notifications, the manager's own access requests, requests in progress
    with django_assert_num_queries(13):
        response = client.get(reverse("home"))
    assert len(response.context["conventions"]) == count


def test_the_pieces_count_says_what_is_left_to_hand_in_once_uploaded(client, convention, manager):
    kinds = list(convention.required_justificatif_kinds)
    response = home(client, manager).content.decode()
    assert f"{len(kinds)} sur {len(kinds)} à déposer" in response
    for kind in kinds:
        services.justificatif_upload(
            user=manager, convention=convention, kind=kind, upload=pdf_upload()
        )
    response = home(client, manager).content.decode()
    assert "à déposer" not in response and "Tous déposés" in response
    assert f"{len(kinds)} pièces en cours d&#x27;examen" in response
