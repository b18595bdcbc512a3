"""`python manage.py import_grants`: the official examples, every variation real files show,
and the exit status (0 nothing refused, 1 rows refused, 2 file unreadable)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from associations.models import Association
from grants.models import Authority, Grant, ImportedGrantRecord
from grants.opendata import scdl
from tests.grants.opendata.factories import (
    INVALID_CELLS,
    INVALID_COLUMNS,
    VALID_EXAMPLE,
    antibes,
    association_with_siret,
    authority_with_siret,
    read_rows,
    siret_for,
    validate_scdl,
)

pytestmark = pytest.mark.django_db

HEADER = ",".join(scdl.COLUMNS)


def run(path, *args, capsys=None):
    out = io.StringIO()
    try:
        call_command("import_grants", str(path), *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err if capsys else ""
    return code, out.getvalue(), err


def last_line(out):
    return out.strip().splitlines()[-1]


def scdl_row(authority_siret, **values):
    row = {
        "nomAttribuant": "Métropole",
        "idAttribuant": authority_siret,
        "dateConvention": "2023-05-03",
        "referenceDecision": "2023-001",
        "nomBeneficiaire": "Club",
        "idBeneficiaire": siret_for("70000001"),
        "rnaBeneficiaire": "",
        "objet": "Fonctionnement",
        "montant": "30000",
        "nature": "aide en numéraire",
        "conditionsVersement": "unique",
        "datesPeriodeVersement": "2023-06-01",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
        "dispositifAide": "",
    }
    row.update(values)
    return row


def write_csv(path, rows, *, delimiter=",", encoding="utf-8", above=(), columns=None):
    columns = columns or scdl.COLUMNS
    lines = list(above) + [delimiter.join(columns)]
    for row in rows:
        cells = []
        for c in columns:
            value = str(row.get(c, ""))
            if delimiter in value or '"' in value:
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(delimiter.join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


# -- the official examples ---------------------------------------------------------------------


def test_the_official_valid_example_imports_completely_and_reexports_valid(tmp_path, capsys):
    authority = antibes()
    code, out, _ = run(VALID_EXAMPLE, "--authority", authority.siren, capsys=capsys)
    assert code == 0
    assert last_line(out) == "29 importées, 0 refusées, 0 déjà présentes"
    assert Grant.objects.filter(authority=authority, imported_record__isnull=False).count() == 29
    # Percentages: the beneficiary's share of the total (99 786,57 × 0.05).
    first = ImportedGrantRecord.objects.get(line=2)
    assert first.grant.amount == Decimal("4989.33")
    assert str(first.total_amount) == "99786.57"

    original = {
        tuple(sorted((k, v.strip()) for k, v in r.items()))
        for r in read_rows(VALID_EXAMPLE.read_text(encoding="utf-8"))
    }
    exported = set()
    for year in sorted(set(Grant.objects.values_list("year", flat=True))):
        target = tmp_path / f"{year}.csv"
        call_command(
            "export_scdl", authority=authority.siren, year=year, all=True, output=str(target)
        )
        assert validate_scdl(target) == [], year
        for row in read_rows(target.read_text(encoding="utf-8")):
            exported.add(tuple(sorted((k, _canonical(k, v)) for k, v in row.items())))
    original = {tuple((k, _canonical(k, v)) for k, v in row) for row in original}
    assert exported == original


def _canonical(column, value):
    value = re.sub(r"\s+", " ", value.strip())
    if column in ("montant", "pourcentageSubvention") and value:
        return str(float(value))
    return value


def test_a_second_import_of_the_same_file_adds_nothing(capsys):
    authority = antibes()
    run(VALID_EXAMPLE, "--authority", authority.siren, capsys=capsys)
    code, out, err = run(VALID_EXAMPLE, "--authority", authority.siren, capsys=capsys)
    assert code == 0
    assert last_line(out) == "0 importées, 0 refusées, 29 déjà présentes"
    assert "Ligne 2 : déjà présente" in err
    assert Grant.objects.count() == 29
    assert Association.objects.filter(authority=authority).count() == 29


def test_the_official_cell_errors_are_refused_row_by_row(capsys):
    authority = antibes()
    code, out, err = run(INVALID_CELLS, "--authority", authority.siren, capsys=capsys)
    assert code == 1
    assert last_line(out) == "0 importées, 29 refusées, 0 déjà présentes"
    assert Grant.objects.count() == 0
    expected = [
        "Ligne 2, colonne idAttribuant (SIRET de l'attribuant) : refusée : « 21860194600000 » : "
        "SIRET invalide (clé de contrôle incorrecte).",
        "Ligne 2, colonne pourcentageSubvention (pourcentage de la subvention) : refusée : « 100 »",
        "Ligne 5, colonne rnaBeneficiaire (RNA du bénéficiaire) : refusée : « W3222 »",
        "Ligne 5, colonne dateConvention",  # 05/12/2016 reads, the SIRET does not
        "Ligne 6, colonne idBeneficiaire (SIRET du bénéficiaire) : refusée : « 32402138500000.0 » "
        ": le SIRET a été transformé en nombre par un tableur",
        "Ligne 6, colonne notificationUE : refusée : « no »",
        "Ligne 7, colonne idAttribuant (SIRET de l'attribuant) : refusée : « 218601946 » est un "
        "SIREN (9 chiffres)",
        "Ligne 8, colonne notificationUE : refusée : « yes »",
        "Ligne 9, colonne idBeneficiaire (SIRET du bénéficiaire) : refusée : ni SIRET ni numéro "
        "RNA du bénéficiaire.",
        "Ligne 10, colonne montant : refusée : montant manquant.",
        "Ligne 12, colonne rnaBeneficiaire (RNA du bénéficiaire) : refusée : « W12455 »",
    ]
    for message in expected[:3] + expected[4:]:
        assert message in err, message
    assert "Ligne 5, colonne dateConvention" not in err
    # Every refused row is named.
    lines = {int(m) for m in re.findall(r"^Ligne (\d+),", err, re.M)}
    assert lines == set(range(2, 31))


def test_the_official_column_errors_example_is_read_by_name_and_refused_row_by_row(capsys):
    authority = antibes()
    code, out, err = run(INVALID_COLUMNS, "--authority", authority.siren, capsys=capsys)
    # Swapped columns and « NOM_Beneficiaire » are matched by name; every row is Poitiers'
    # (an invalid SIRET) and none is imported.
    assert code == 1
    assert last_line(out) == "0 importées, 29 refusées, 0 déjà présentes"
    assert "« 21860194600000 » : SIRET invalide" in err


# -- variations of real files ------------------------------------------------------------------


@pytest.fixture
def authority():
    return authority_with_siret(name="Métropole")


def test_semicolons_windows_1252_french_amounts_and_underscore_periods(tmp_path, authority, capsys):
    rows = [
        scdl_row(
            authority.siret,
            nomBeneficiaire="Société d'études",
            montant="40 000,00",
            dateConvention="03/05/2023",
            datesPeriodeVersement="2023-06-01_2023-12-15",
            pourcentageSubvention="0,5",
        ),
        scdl_row(
            authority.siret,
            idBeneficiaire=siret_for("70000002"),
            montant="1.234,56",
            dateConvention="2023/05/04",
            datesPeriodeVersement="01/06/2023_15/12/2023",
            nature="Aide en numéraire ; aide en nature",
            conditionsVersement="Echelonné",
            notificationUE="OUI",
        ),
    ]
    path = write_csv(tmp_path / "f.csv", rows, delimiter=";", encoding="cp1252")
    code, out, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert (code, err) == (0, "")
    assert "0 refusées" in last_line(out)
    first, second = ImportedGrantRecord.objects.order_by("line")
    assert first.beneficiary_name == "Société d'études"
    assert str(first.total_amount) == "40000.00" and first.grant.amount == 20000
    assert first.convention_date.isoformat() == "2023-05-03"
    assert first.payment_dates == "2023-06-01/2023-12-15"
    assert str(second.total_amount) == "1234.56"
    assert second.convention_date.isoformat() == "2023-05-04"
    assert second.payment_dates == "2023-06-01/2023-12-15"
    assert second.nature == "aide en numéraire;aide en nature"
    assert second.payment_conditions == "échelonné"
    assert second.eu_notification is True


def test_utf8_with_bom_and_headers_in_other_cases(tmp_path, authority, capsys):
    columns = [c.upper() if i % 2 else c.lower() for i, c in enumerate(scdl.COLUMNS)]
    columns[4] = "Nom Bénéficiaire"
    rows = [{c: v for c, v in zip(columns, scdl_row(authority.siret).values(), strict=True)}]
    path = write_csv(tmp_path / "f.csv", rows, encoding="utf-8-sig", columns=columns)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    code, out, _ = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 0 and last_line(out).startswith("1 importées")


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("idBeneficiaire", "12345678900000.0", "transformé en nombre par un tableur"),
        ("idBeneficiaire", "1,23457E+13", "transformé en nombre par un tableur"),
        ("idBeneficiaire", "2105000450039", "13 chiffres"),
        ("dateConvention", "05/12/16", "l'année sur deux chiffres est ambiguë"),
        ("dateConvention", "44927", "numéro de jour de tableur"),
        ("dateConvention", "31/02/2023", "n'est pas une date qui existe"),
        ("montant", "40.000", "est ambigu"),
        ("montant", "12,345", "est ambigu"),
        ("montant", "abc", "n'est pas un montant lisible"),
        ("pourcentageSubvention", "80", "entre 0.01 et 1"),
        ("datesPeriodeVersement", "2023-06-01_2023-07-01_2023-08-01", "une date ou une période"),
        ("objet", '=HYPERLINK("http://x")', "formule"),
        ("idRAE", "123456", "au plus 5 caractères"),
        ("rnaBeneficiaire", "W12", "W suivi de 9 chiffres"),
    ],
)
def test_values_that_would_need_a_guess_refuse_their_row(
    tmp_path, authority, capsys, column, value, reason
):
    rows = [scdl_row(authority.siret), scdl_row(authority.siret, **{column: value})]
    rows[1]["nomBeneficiaire"] = "Autre"
    rows[1]["idBeneficiaire"] = (
        rows[1]["idBeneficiaire"] if column == "idBeneficiaire" else (siret_for("70000003"))
    )
    path = write_csv(tmp_path / "f.csv", rows)
    code, out, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 1
    assert last_line(out) == "1 importées, 1 refusées, 0 déjà présentes"
    assert f"Ligne 3, colonne {column} " in err
    assert reason in err


def test_an_object_longer_than_256_characters_imports_and_exports_shortened(
    tmp_path, authority, capsys
):
    long_object = "Organisation " + "d'une manifestation sportive " * 15
    path = write_csv(tmp_path / "f.csv", [scdl_row(authority.siret, objet=long_object)])
    assert run(path, "--authority", authority.siren, capsys=capsys)[0] == 0
    assert Grant.objects.get().object == long_object.strip()
    target = tmp_path / "out.csv"
    call_command("export_scdl", authority=authority.siren, year=2023, output=str(target))
    assert validate_scdl(target) == []


def test_extra_lines_above_the_header_and_empty_lines(tmp_path, authority, capsys):
    one = write_csv(tmp_path / "1.csv", [scdl_row(authority.siret)]).read_text().splitlines()
    two = scdl_row(authority.siret, idBeneficiaire=siret_for("70000004"))
    two = ",".join(two[c] for c in scdl.COLUMNS)
    lines = ["Subventions versées en 2023", "Export du 12/01/2024,,", "", *one, "", ",,, ,", two]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert (code, err) == (0, "")
    assert "Lignes 1 à 3 au-dessus de l'en-tête ignorées." in out
    assert "2 ligne(s) vide(s) ignorée(s)." in out
    assert last_line(out) == "2 importées, 0 refusées, 0 déjà présentes"
    assert list(ImportedGrantRecord.objects.order_by("line").values_list("line", flat=True)) == [
        5,
        8,
    ]


def test_a_header_missing_a_required_column_reads_nothing(tmp_path, authority, capsys):
    columns = [c for c in scdl.COLUMNS if c != "montant"]
    path = write_csv(tmp_path / "f.csv", [scdl_row(authority.siret)], columns=columns)
    code, out, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 2
    assert "L'en-tête ne contient pas les colonnes requises : montant." in err
    assert "Traceback" not in err
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "Le fichier est vide."),
        (b"\xff\xfen\x00o\x00m\x00", "UTF-16"),
        (b"\x00\x01\x02binary\x00", "octets nuls"),
        (b"PK\x03\x04not really a zip", "illisible"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
    ],
)
def test_unreadable_files_exit_2_with_a_french_message(
    tmp_path, authority, capsys, content, message
):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    code, _, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_50_mb_file_is_refused_before_reading(tmp_path, authority, capsys):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write((HEADER + "\n").encode())
        handle.truncate(50 * 1024 * 1024)
    code, _, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 2
    assert "Le fichier pèse 50,0 Mo : la limite est de 20,0 Mo." in err


def test_missing_file_and_unknown_authority(tmp_path, authority, capsys):
    code, _, err = run(tmp_path / "absent.csv", "--authority", authority.siren, capsys=capsys)
    assert code == 2 and "n'existe pas" in err
    path = write_csv(tmp_path / "f.csv", [scdl_row(authority.siret)])
    code, _, err = run(path, "--authority", "123456789", capsys=capsys)
    assert code == 2 and "Aucune collectivité n'a le SIREN" in err


# -- authorities, associations, options ---------------------------------------------------------


def test_rows_of_another_authority_are_refused_unless_created_by_the_platform_admin(
    tmp_path, authority, capsys
):
    other_siret = siret_for("21300000")
    rows = [
        scdl_row(authority.siret),
        scdl_row(
            other_siret, nomAttribuant="Commune Nouvelle", idBeneficiaire=siret_for("70000005")
        ),
    ]
    path = write_csv(tmp_path / "f.csv", rows)
    code, out, err = run(path, "--authority", authority.siren, "--dry-run", capsys=capsys)
    assert code == 1
    assert "Ligne 3, colonne idAttribuant" in err and "ce n'est pas celui de la collectivité" in err
    assert "Essai à blanc : rien n'a été importé ; 1 ligne(s) importable(s)." in out
    assert Grant.objects.count() == 0

    code, out, err = run(path, "--create-authorities", capsys=capsys)
    assert (code, err) == (0, "")
    assert "1 collectivité(s) créée(s)." in out
    created = Authority.objects.get(siret=other_siret)
    assert created.name == "Commune Nouvelle" and created.siren == other_siret[:9]
    assert Grant.objects.filter(authority=created).count() == 1


def test_associations_are_matched_by_siret_then_rna_then_created(tmp_path, authority, capsys):
    by_siret = association_with_siret(authority, name="Connue par SIRET")
    by_rna = association_with_siret(authority, name="Connue par RNA", rna="W131234567")
    rows = [
        scdl_row(authority.siret, nomBeneficiaire="autre nom", idBeneficiaire=by_siret.siret),
        scdl_row(authority.siret, idBeneficiaire="", rnaBeneficiaire="W131234567"),
        scdl_row(authority.siret, nomBeneficiaire="Nouvelle", idBeneficiaire=siret_for("70000006")),
        scdl_row(
            authority.siret,
            nomBeneficiaire="Nouvelle",
            idBeneficiaire=siret_for("70000006"),
            objet="Projet",
        ),
    ]
    path = write_csv(tmp_path / "f.csv", rows)
    assert run(path, "--authority", authority.siren, capsys=capsys)[0] == 0
    grants = {
        g.imported_record.line: g.association
        for g in Grant.objects.select_related("imported_record", "association")
    }
    assert grants[2] == by_siret
    assert grants[3] == by_rna
    assert grants[4] == grants[5]
    assert grants[4].name == "Nouvelle" and grants[4].siret == siret_for("70000006")


def test_all_or_nothing_imports_nothing_when_a_row_is_refused(tmp_path, authority, capsys):
    rows = [scdl_row(authority.siret), scdl_row(authority.siret, montant="", objet="Autre")]
    path = write_csv(tmp_path / "f.csv", rows)
    report = tmp_path / "report.csv"
    code, out, _ = run(
        path,
        "--authority",
        authority.siren,
        "--all-or-nothing",
        "--report",
        str(report),
        capsys=capsys,
    )
    assert code == 1
    assert last_line(out) == "0 importées, 1 refusées, 0 déjà présentes"
    assert Grant.objects.count() == 0
    assert read_rows(report.read_text(encoding="utf-8")) == [
        {
            "ligne": "3",
            "état": "refusée",
            "colonne": "montant",
            "motif": "montant manquant.",
        }
    ]
    rows[1]["montant"] = "1000"
    write_csv(path, rows)
    code, out, _ = run(path, "--authority", authority.siren, "--all-or-nothing", capsys=capsys)
    assert code == 0 and last_line(out) == "2 importées, 0 refusées, 0 déjà présentes"


def test_a_spreadsheet_without_the_payment_columns_gets_the_announced_values(
    tmp_path, authority, capsys
):
    columns = [
        "Date convention",
        "Nom bénéficiaire",
        "id_beneficiaire",
        "Objet",
        "Montant",
        "Exercice",
    ]
    row = dict(
        zip(
            columns,
            ["2022-12-15", "Club", siret_for("70000007"), "Fonctionnement", "25 000", "2023"],
            strict=True,
        )
    )
    path = write_csv(tmp_path / "f.csv", [row], delimiter=";", columns=columns)
    code, out, _ = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 0
    assert "Colonne nature absente : « aide en numéraire » pour toutes les lignes." in out
    grant = Grant.objects.get()
    assert grant.year == 2023 and grant.amount == 25000
    record = grant.imported_record
    assert record.attributor_siret == authority.siret
    assert record.payment_dates == "2022-12-15"
    target = tmp_path / "out.csv"
    call_command("export_scdl", authority=authority.siren, year=2023, output=str(target))
    assert validate_scdl(target) == []
    assert read_rows(target.read_text(encoding="utf-8"))[0]["nomAttribuant"] == "Métropole"


def test_xlsx_with_number_cells_dates_floats_and_formulas(tmp_path, authority, capsys):
    import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Liste des subventions"])
    sheet.append(scdl.COLUMNS)
    good = scdl_row(authority.siret)
    good_cells = [good[c] for c in scdl.COLUMNS]
    good_cells[1] = int(authority.siret)  # an exact integer cell
    good_cells[2] = datetime.datetime(2023, 5, 3)
    good_cells[8] = 30000.5
    sheet.append(good_cells)
    float_siret = list(good_cells)
    float_siret[5] = int(siret_for("01234567")[1:])  # a number cell lost the leading zero
    sheet.append(float_siret)
    formula = list(good_cells)
    formula[5] = siret_for("70000008")
    formula[8] = "=SUM(A1:A2)"
    sheet.append(formula)
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    code, out, err = run(path, "--authority", authority.siren, capsys=capsys)
    assert code == 1
    assert last_line(out) == "1 importées, 2 refusées, 0 déjà présentes"
    assert "Ligne 4, colonne idBeneficiaire" in err and "13 chiffres" in err
    assert "Ligne 5, colonne montant : refusée : la cellule contient une formule" in err
    record = ImportedGrantRecord.objects.get()
    assert record.line == 3
    assert str(record.total_amount) == "30000.50"
    assert record.convention_date == datetime.date(2023, 5, 3)
    assert record.attributor_siret == authority.siret
