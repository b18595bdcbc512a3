"""The SCDL export: 16 columns in order, values in the schema's formats, mapped as DOMAIN §7,
and what cannot be published is listed with the reason instead of being written."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from conventions.models import Convention
from grants.models import Payment
from grants.opendata import export, scdl
from tests.factories import AssociationFactory, GrantFactory, UserFactory
from tests.grants.finance.factories import CommitmentFactory, PaymentFactory
from tests.grants.opendata.factories import (
    association_with_siret,
    authority_with_siret,
    published_grant,
    read_rows,
    validate_scdl,
)
from tests.grants.smallgrants.factories import light_deliberation

pytestmark = pytest.mark.django_db


def export_text(authority, year, include_all=False):
    handle = io.StringIO()
    refused = export.write_csv(handle, authority, year, include_all=include_all)
    return handle.getvalue(), refused


def test_header_is_the_16_columns_in_the_schema_order():
    descriptor = scdl.schema_descriptor()
    assert [f["name"] for f in descriptor["fields"]] == scdl.COLUMNS
    text, _ = export_text(authority_with_siret(), 2024)
    assert text.splitlines()[0] == ",".join(scdl.COLUMNS)


def test_a_published_grant_is_mapped_as_domain_7(tmp_path):
    authority = authority_with_siret(name="Métropole de Test")
    grant = published_grant(authority, amount="62500.00", aid_scheme_label="Pôles de compétitivité")
    grant.association.rna = "W421234567"
    grant.association.save()
    text, refused = export_text(authority, 2024)
    assert refused == []
    [row] = read_rows(text)
    convention = grant.conventions.get()
    assert row == {
        "nomAttribuant": "Métropole de Test",
        "idAttribuant": authority.siret,
        "dateConvention": "2024-07-09",  # the later of the two signatures
        "referenceDecision": grant.deliberation.number,
        "nomBeneficiaire": grant.association.name,
        "idBeneficiaire": grant.association.siret,
        "rnaBeneficiaire": "W421234567",
        "objet": grant.object,
        "montant": "62500.00",
        "nature": "aide en numéraire",
        "conditionsVersement": "échelonné",  # advance then balance planned (80 %)
        "datesPeriodeVersement": "2024-01-01/2024-12-31",  # nothing paid yet: the year
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
        "dispositifAide": "Pôles de compétitivité",
    }
    assert convention.advance_percentage == Decimal("80.00")
    path = tmp_path / "subventions-2024.csv"
    path.write_text(text, encoding="utf-8")
    assert validate_scdl(path) == []


def _pay(convention, commitment, kind, amount, paid):
    """A payment paid on `paid` (certified and ordered by two different agents)."""
    return PaymentFactory(
        convention=convention,
        kind=kind,
        amount=Decimal(amount),
        amount_due=None if kind == Payment.Kind.ADVANCE else Decimal("66000.00"),
        status=Payment.Status.PAID,
        certified_at=timezone.now(),
        certified_by=UserFactory(role="instructeur", authority=convention.authority),
        order_number=f"M-{kind}",
        order_date=paid,
        ordered_by=UserFactory(role="financier", authority=convention.authority),
        ordered_at=timezone.now(),
        commitment=commitment,
        paid_date=paid,
    )


def test_payments_give_the_first_and_last_dates():
    authority = authority_with_siret()
    grant = published_grant(authority, amount="66000.00")
    convention = grant.conventions.get()
    commitment = CommitmentFactory(grant=grant)
    _pay(convention, commitment, Payment.Kind.ADVANCE, "52800.00", datetime.date(2024, 7, 20))
    [row] = read_rows(export_text(authority, 2024)[0])
    assert row["datesPeriodeVersement"] == "2024-07-20"
    _pay(convention, commitment, Payment.Kind.BALANCE, "13200.00", datetime.date(2025, 3, 3))
    [row] = read_rows(export_text(authority, 2024)[0])
    assert row["datesPeriodeVersement"] == "2024-07-20/2025-03-03"
    assert row["conditionsVersement"] == "échelonné"


def test_a_single_payment_grant_without_convention_is_unique_and_dated_by_the_session():
    authority = authority_with_siret()
    grant = published_grant(authority, amount="30000.00")
    grant.conventions.clear()
    [row] = read_rows(export_text(authority, 2024)[0])
    assert row["conditionsVersement"] == "unique"
    assert row["dateConvention"] == "2024-06-13"


def test_a_small_grant_of_a_light_deliberation_is_dated_by_its_typed_session_date():
    """A light deliberation has no session (found by the URL matrix: the export crashed)."""
    authority = authority_with_siret()
    association = association_with_siret(authority)
    deliberation = light_deliberation(authority, session_date=datetime.date(2024, 5, 16))
    GrantFactory(
        association=association,
        deliberation=deliberation,
        amount=Decimal("8000.00"),
        year=2024,
    )
    [row] = read_rows(export_text(authority, 2024, include_all=True)[0])
    assert row["dateConvention"] == "2024-05-16"
    assert row["montant"] == "8000.00"


def test_only_grants_above_23000_unless_all_is_asked():
    authority = authority_with_siret()
    big = published_grant(authority, amount="23000.01")
    small = published_grant(authority, amount="23000.00")
    rows = read_rows(export_text(authority, 2024)[0])
    assert [r["nomBeneficiaire"] for r in rows] == [big.association.name]
    rows = read_rows(export_text(authority, 2024, include_all=True)[0])
    assert {r["nomBeneficiaire"] for r in rows} == {big.association.name, small.association.name}


def test_grants_that_cannot_be_published_are_listed_with_the_reason():
    authority = authority_with_siret()
    ok = published_grant(authority)
    no_id = GrantFactory(
        authority=authority, association=AssociationFactory(authority=authority, name="Sans N°")
    )
    pending = published_grant(authority)
    pending.deliberation.votes_for = None
    pending.deliberation.save()
    pending.conventions.update(association_signed_at=None)
    text, refused = export_text(authority, 2024)
    assert [r["nomBeneficiaire"] for r in read_rows(text)] == [ok.association.name]
    reasons = {line.grant.pk: " ; ".join(line.reasons) for line in refused}
    assert "ni SIRET ni numéro RNA" in reasons[no_id.pk]
    assert "pas de date de convention" in reasons[no_id.pk]
    assert (
        f"la délibération n° {pending.deliberation.number} n'est pas encore adoptée"
        in (reasons[pending.pk])
    )


def test_an_authority_without_siret_publishes_nothing_and_says_why():
    authority = authority_with_siret()
    published_grant(authority)
    authority.siret = ""
    authority.save()
    text, refused = export_text(authority, 2024)
    assert read_rows(text) == []
    assert "n'a pas de SIRET" in refused[0].reasons[0]


def test_long_object_is_shortened_and_formulas_are_written_as_text(tmp_path):
    authority = authority_with_siret()
    grant = published_grant(authority, object='=HYPERLINK("x") ' + "mot " * 100)
    grant.association.name = "@Club"
    grant.association.save()
    text, _ = export_text(authority, 2024)
    [row] = read_rows(text)
    assert len(row["objet"]) <= 256 and row["objet"].endswith("…")
    assert row["objet"].startswith("HYPERLINK")
    assert row["nomBeneficiaire"] == "Club"
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    assert validate_scdl(path) == []


def test_export_query_count_does_not_grow(django_assert_max_num_queries):
    authority = authority_with_siret()
    for _ in range(3):
        published_grant(authority)
    with django_assert_max_num_queries(4):
        assert len(list(export.export_lines(authority, 2024))) == 3
    for _ in range(5):
        published_grant(authority)
    with django_assert_max_num_queries(4):
        assert len(list(export.export_lines(authority, 2024))) == 8


def test_command_writes_stdout_or_a_file_and_lists_refused_on_stderr(tmp_path, capsys):
    authority = authority_with_siret()
    grant = published_grant(authority)
    GrantFactory(authority=authority, association=AssociationFactory(authority=authority))
    out = io.StringIO()
    call_command("export_scdl", authority=authority.siren, year=2024, stdout=out)
    rows = read_rows(out.getvalue())
    assert [r["idBeneficiaire"] for r in rows] == [grant.association.siret]
    assert "Non publiée" in capsys.readouterr().err
    target = tmp_path / "out.csv"
    call_command("export_scdl", authority=authority.siren, year=2024, all=True, output=str(target))
    assert validate_scdl(target) == []
    assert target.read_bytes().startswith(b"nomAttribuant,idAttribuant,")


def test_demo_exports_validate(tmp_path):
    call_command("load_demo", force=True, stdout=io.StringIO())
    for siren, year, name in [
        ("200054807", 2023, "Pôle Solutions Communicantes Sécurisées"),
        ("244200770", 2024, "Minalogic"),
    ]:
        target = tmp_path / f"{siren}-{year}.csv"
        call_command("export_scdl", authority=siren, year=year, output=str(target))
        assert validate_scdl(target) == []
        rows = read_rows(target.read_text(encoding="utf-8"))
        assert [r["nomBeneficiaire"] for r in rows] == [name]
    sem = read_rows((tmp_path / "244200770-2024.csv").read_text(encoding="utf-8"))[0]
    assert sem["referenceDecision"] == "2024.00344"
    assert sem["montant"] == "62500.00"
    assert sem["dateConvention"] == "2024-07-09"
    scs = Convention.objects.get(association__name="Pôle Solutions Communicantes Sécurisées")
    assert scs.payments.exists()
