"""Multi-year conventions (CPO, DOMAIN §7): 2 to 4 years, one grant voted per year, payments
and justificatifs per year. An annual convention keeps working as a CPO of one year."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conventions.models import Convention, Justificatif
from conventions.multiyear import (
    check_grants,
    default_payment_year,
    period_years,
    year_rows,
    years_phrase,
)
from grants.finance import services
from grants.models import Payment
from tests.factories import GrantFactory
from tests.grants.finance.factories import ConventionFactory, attach_forecast, manager_of

pytestmark = pytest.mark.django_db


def msg(error):
    """The French messages of a ValidationError, with plain spaces."""
    return " ".join(error.value.messages).replace("\xa0", " ")


def plain(response):
    return response.content.decode().replace("\xa0", " ").replace("&nbsp;", " ")


def cpo(years=(2024, 2025, 2026), amounts=("60000.00", "70000.00")):
    """A signed CPO; the grants of the first years are voted, the others not yet."""
    convention = ConventionFactory(
        year=years[0], kind=Convention.Kind.MULTI_YEAR, end_year=years[-1], grants=[]
    )
    grants = [
        GrantFactory(
            authority=convention.authority,
            association=convention.association,
            year=year,
            amount=D(amount),
        )
        for year, amount in zip(years, amounts, strict=False)
    ]
    convention.grants.set(grants)
    return convention


def accept_for(convention, year):
    for kind in convention.required_justificatif_kinds:
        Justificatif.objects.create(
            convention=convention,
            year=year,
            kind=kind,
            file=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test", "application/pdf"),
            status=Justificatif.Status.ACCEPTED,
            reviewed_at=timezone.now(),
        )


def advance(convention, manager, amount, year):
    return services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.ADVANCE,
        amount=D(amount),
        signer_name="Fabien ALLI",
        certified=True,
        year=year,
    )


def balance(convention, manager, realised, year):
    return services.payment_request(
        convention=convention,
        user=manager,
        kind=Payment.Kind.BALANCE,
        signer_name="Fabien ALLI",
        certified=True,
        realised_expenses=D(realised),
        year=year,
    )


# ---- the model ---------------------------------------------------------------------------------


def test_an_annual_convention_covers_its_year_only():
    convention = ConventionFactory(year=2024)
    assert convention.end_year == 2024
    assert convention.years == [2024]
    assert not convention.is_multi_year


def test_a_cpo_covers_two_to_four_years():
    convention = cpo(years=(2024, 2025, 2026, 2027))
    assert convention.years == [2024, 2025, 2026, 2027]
    assert years_phrase(convention.years) == "2024, 2025, 2026 et 2027"


@pytest.mark.parametrize("end_year", [2024, 2028])
def test_the_database_refuses_a_cpo_of_one_or_five_years(end_year):
    convention = ConventionFactory(year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=convention.pk).update(
            kind=Convention.Kind.MULTI_YEAR, end_year=end_year
        )


def test_the_database_refuses_an_annual_convention_spanning_two_years():
    convention = ConventionFactory(year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=convention.pk).update(end_year=2025)


def test_the_period_is_checked_with_a_french_message():
    assert period_years(Convention.Kind.MULTI_YEAR, 2024, 2026) == [2024, 2025, 2026]
    with pytest.raises(ValidationError) as error:
        period_years(Convention.Kind.MULTI_YEAR, 2024, 2028)
    assert "de 2 à 4 exercices (ici 5 : de 2024 à 2028)" in msg(error)
    with pytest.raises(ValidationError):
        period_years(Convention.Kind.MULTI_YEAR, 2024, None)


def test_one_grant_per_year_of_the_period():
    convention = cpo()
    first = convention.grants.get(year=2024)
    other = GrantFactory(
        authority=convention.authority, association=convention.association, year=2024
    )
    with pytest.raises(ValidationError) as error:
        check_grants(convention.years, [first, other])
    assert "Une seule subvention par exercice" in msg(error)
    outside = GrantFactory(
        authority=convention.authority, association=convention.association, year=2027
    )
    with pytest.raises(ValidationError) as error:
        check_grants(convention.years, [first, outside])
    assert "hors de la période de la convention (2024, 2025 et 2026)" in msg(error)


def test_the_amount_of_each_year_is_its_grant_and_the_total_their_sum():
    convention = cpo()
    assert convention.amount_for_year(2024) == D("60000.00")
    assert convention.amount_for_year(2025) == D("70000.00")
    assert convention.amount_for_year(2026) == D("0.00")
    assert convention.amount == D("130000.00")


# ---- payments per year -------------------------------------------------------------------------


def test_the_advance_is_capped_at_80_percent_of_that_years_amount_at_the_cent():
    convention = cpo()
    manager = manager_of(convention)
    with pytest.raises(ValidationError) as error:
        advance(convention, manager, "48000.01", 2024)
    assert "80 % du montant voté de l'exercice 2024 de 60 000,00 €" in msg(error)
    first = advance(convention, manager, "48000.00", 2024)
    assert first.year == 2024
    # 2025 has its own cap: 80 % of 70 000 €.
    with pytest.raises(ValidationError):
        advance(convention, manager, "56000.01", 2025)
    assert advance(convention, manager, "56000.00", 2025).year == 2025


def test_one_advance_per_year():
    convention = cpo()
    manager = manager_of(convention)
    advance(convention, manager, "10000.00", 2024)
    with pytest.raises(ValidationError) as error:
        advance(convention, manager, "10000.00", 2024)
    assert "Un acompte de l'exercice 2024 a déjà été demandé" in msg(error)


def test_no_advance_for_a_year_not_voted_yet_nor_outside_the_period():
    convention = cpo()
    manager = manager_of(convention)
    with pytest.raises(ValidationError) as error:
        advance(convention, manager, "1000.00", 2026)
    assert "Aucun montant n'est encore voté pour l'exercice 2026" in msg(error)
    with pytest.raises(ValidationError) as error:
        advance(convention, manager, "1000.00", 2027)
    assert "L'exercice 2027 n'est pas couvert" in msg(error)
    assert not Payment.objects.exists()


def test_the_balance_of_a_year_waits_for_that_years_justificatifs():
    convention = cpo()
    attach_forecast(convention, "100000.00")
    manager = manager_of(convention)
    accept_for(convention, 2024)
    with pytest.raises(ValidationError) as error:
        balance(convention, manager, "90000.00", 2025)
    message = msg(error)
    assert message.startswith("Le solde de l'exercice 2025 ne peut être demandé")
    assert "Comptes annuels" in message


def test_the_balance_of_a_year_is_that_years_due_less_that_years_payments_at_the_cent():
    convention = cpo()
    attach_forecast(convention, "100000.00")
    manager = manager_of(convention)
    advance(convention, manager, "48000.00", 2024)
    advance(convention, manager, "56000.00", 2025)
    accept_for(convention, 2024)
    # 90 % of the forecast expenses realised: 60 000 × 0.9 = 54 000 € due for 2024.
    payment = balance(convention, manager, "90000.00", 2024)
    assert payment.year == 2024
    assert payment.amount_due == D("54000.00")
    assert payment.amount == D("6000.00")  # not touched by 2025's advance
    finances = services.convention_finances(convention, year=2024)
    assert finances.requested == D("54000.00")
    assert finances.remaining_payable == D("0.00")
    assert services.convention_finances(convention, year=2025).requested == D("56000.00")
    with pytest.raises(ValidationError):
        balance(convention, manager, "90000.00", 2024)


def test_the_sum_of_a_years_payments_never_exceeds_that_years_due():
    convention = cpo()
    attach_forecast(convention, "100000.00")
    manager = manager_of(convention)
    advance(convention, manager, "48000.00", 2024)
    accept_for(convention, 2024)
    # Only 40 % realised: 24 000 € due, already 48 000 € asked: no balance.
    with pytest.raises(ValidationError) as error:
        balance(convention, manager, "40000.00", 2024)
    assert "24 000,00 €" in msg(error)
    assert "trop-perçu de 24 000,00 €" not in msg(error)  # requested, not paid
    total = sum(p.amount for p in Payment.objects.filter(year=2024))
    assert total == D("48000.00")


def test_the_default_payment_year_is_the_earliest_not_fully_paid():
    convention = cpo()
    manager = manager_of(convention)
    assert default_payment_year(convention) == 2024
    advance(convention, manager, "48000.00", 2024)
    assert default_payment_year(convention) == 2024  # 12 000 € still to ask
    attach_forecast(convention, "100000.00")
    accept_for(convention, 2024)
    balance(convention, manager, "100000.00", 2024)
    assert default_payment_year(convention) == 2025


def test_an_annual_convention_pays_as_before():
    convention = ConventionFactory(year=2024)
    manager = manager_of(convention)
    payment = advance(convention, manager, "52800.00", None)
    assert payment.year == 2024
    assert services.convention_finances(convention).advanced == D("52800.00")


# ---- justificatifs per year --------------------------------------------------------------------


def test_justificatifs_are_due_six_months_after_each_years_close():
    convention = cpo()
    assert convention.justificatifs_due_date_for(2024) == datetime.date(2025, 6, 30)
    assert convention.justificatifs_due_date_for(2026) == datetime.date(2027, 6, 30)
    piece = Justificatif.objects.create(
        convention=convention,
        year=2025,
        kind=Justificatif.Kind.COMPTES_ANNUELS,
        file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 test", "application/pdf"),
    )
    assert piece.due_date == datetime.date(2026, 6, 30)


def test_one_current_piece_per_kind_and_year():
    convention = cpo()
    accept_for(convention, 2024)
    accept_for(convention, 2025)  # the same kinds, another year: allowed
    assert convention.required_justificatifs_accepted_for(2024)
    assert not convention.required_justificatifs_accepted  # 2026 is missing
    with pytest.raises(IntegrityError), transaction.atomic():
        accept_for(convention, 2024)


def test_the_year_table_of_a_cpo():
    convention = cpo()
    manager = manager_of(convention)
    advance(convention, manager, "48000.00", 2024)
    accept_for(convention, 2024)
    rows = year_rows(convention)
    assert [(r.year, r.voted, r.requested) for r in rows] == [
        (2024, D("60000.00"), D("48000.00")),
        (2025, D("70000.00"), D("0.00")),
        (2026, D("0.00"), D("0.00")),
    ]
    assert rows[0].justificatifs_complete and not rows[1].justificatifs_complete
    assert rows[2].grant is None


# ---- pages -------------------------------------------------------------------------------------


def test_the_payment_request_asks_for_the_year(client):
    convention = cpo()
    manager = manager_of(convention)
    client.force_login(manager)
    url = reverse("payment_request", args=[convention.pk, "acompte"])
    page = plain(client.get(url))
    assert 'name="year"' in page
    assert "exercice 2024" in page
    assert "48 000,00" in page  # 80 % of 2024's 60 000 €
    page = plain(client.get(url + "?annee=2025"))
    assert "56 000,00" in page
    response = client.post(
        url, {"year": "2025", "amount": "56 000,00", "signer_name": "F. ALLI", "certified": "on"}
    )
    assert response.status_code == 302
    assert Payment.objects.get().year == 2025


def test_the_payment_request_of_an_annual_convention_does_not_ask_for_a_year(client):
    convention = ConventionFactory(year=2024)
    client.force_login(manager_of(convention))
    page = client.get(reverse("payment_request", args=[convention.pk, "acompte"])).content
    assert b'name="year"' not in page


def test_an_upload_justifies_the_earliest_year_not_justified_or_the_chosen_one():
    from conventions.justificatifs import services as justificatifs
    from tests.conventions.justificatifs.test_services import pdf_upload

    convention = cpo()
    manager = manager_of(convention)
    accept_for(convention, 2024)
    piece = justificatifs.justificatif_upload(
        user=manager, convention=convention, kind=Justificatif.Kind.COMPTES_ANNUELS,
        upload=pdf_upload(),
    )  # fmt: skip
    assert (piece.year, piece.due_date) == (2025, datetime.date(2026, 6, 30))
    chosen = justificatifs.justificatif_upload(
        user=manager, convention=convention, kind=Justificatif.Kind.COMPTES_ANNUELS,
        upload=pdf_upload(text="2026"), year=2026,
    )  # fmt: skip
    assert (chosen.year, chosen.due_date) == (2026, datetime.date(2027, 6, 30))
    with pytest.raises(ValidationError) as error:
        justificatifs.justificatif_upload(
            user=manager, convention=convention, kind=Justificatif.Kind.COMPTES_ANNUELS,
            upload=pdf_upload(text="2024"), year=2024,
        )  # fmt: skip
    assert "déjà accepté pour l'exercice 2024" in msg(error)


def test_the_justificatif_list_of_a_cpo_shows_one_year_at_a_time(
    client, django_assert_max_num_queries
):
    convention = cpo()
    accept_for(convention, 2024)
    client.force_login(manager_of(convention))
    url = reverse("justificatif_list", args=[convention.pk])

    # By default the earliest year not justified: 2025, its pieces all to hand in.
    with django_assert_max_num_queries(30) as default_queries:
        page = plain(client.get(url))
    assert 'aria-current="page">Exercice 2025</strong>' in page
    assert '<a href="?annee=2024">Exercice 2024</a>' in page
    assert '<a href="?annee=2026">Exercice 2026</a>' in page
    assert (
        "À remettre avant le 30/06/2026</strong> — six mois après la clôture de l'exercice 2025"
        in page
    )
    assert "Accepté" not in page
    assert page.count('class="badge badge-err">Manquant') == len(
        convention.required_justificatif_kinds
    )
    kinds = list(convention.required_justificatif_kinds)
    upload = reverse("justificatif_upload", args=[convention.pk, kinds[0]])
    assert f'href="{upload}?annee=2025"' in page

    # 2024: every piece accepted, the balance of that year may be requested; same query count.
    with django_assert_max_num_queries(len(default_queries)):
        page = plain(client.get(url + "?annee=2024"))
    assert 'aria-current="page">Exercice 2024</strong>' in page
    assert "À remettre avant le 30/06/2025" in page
    assert "Tous les justificatifs requis de l'exercice 2024 sont acceptés" in page
    assert f'href="{upload}?annee=2024"' not in page  # accepted: nothing to upload
    assert page.count('class="badge badge-ok">Accepté') == len(kinds)
    assert "Manquant" not in page

    # A year outside the period or not a number: the default year, never a 500.
    for bad in ("2031", "abc", "2024.5"):
        response = client.get(url, {"annee": bad})
        assert response.status_code == 200
        assert 'aria-current="page">Exercice 2025</strong>' in plain(response)


def test_the_justificatif_list_of_an_annual_convention_has_no_year_selector(client):
    convention = ConventionFactory(year=2024)
    client.force_login(manager_of(convention))
    page = plain(client.get(reverse("justificatif_list", args=[convention.pk])))
    assert "Exercices de la convention" not in page
    assert "six mois après la clôture de l'exercice 2024" in page


def test_the_justificatif_list_of_a_cpo_stays_private(client):
    convention = cpo()
    other = ConventionFactory(year=2024)
    client.force_login(manager_of(other))
    response = client.get(reverse("justificatif_list", args=[convention.pk]), {"annee": "2025"})
    assert response.status_code == 404
