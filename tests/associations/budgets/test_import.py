"""XLSX template, export and import: every problem with its row, nothing saved on error."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from associations.budgets import imports as budget_import
from associations.budgets.chart import standard_lines
from associations.budgets.demo import load_scs_2023
from associations.budgets.imports import budget_workbook, read_budget_file
from associations.budgets.models import AssociationBudget
from grants.models import Role
from tests.associations.budgets.factories import AssociationBudgetFactory, balanced_budget
from tests.factories import AssociationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Compte", "Libellé", "Montant prévisionnel"]


def xlsx(rows, header=HEADER, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in [*title_rows, header, *rows]:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(data, name="budget.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def budget():
    return balanced_budget()


@pytest.fixture
def instructor(budget):
    return UserFactory(authority=budget.association.authority)


def snapshot(budget):
    return list(budget.lines.order_by("position").values_list("account", "label", "amount"))


def test_the_template_holds_the_chart_under_its_headers(client):
    client.force_login(UserFactory())
    response = client.get(reverse("budget_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))["Budget"]
    assert [c.value for c in sheet[4]] == [*HEADER, "Montant réalisé"]
    chart = list(standard_lines())
    assert [(c[0].value, c[1].value) for c in sheet.iter_rows(min_row=5)] == [
        (account, label) for account, label, _ in chart
    ]
    assert sheet.freeze_panes == "A5"


def test_a_valid_file_replaces_the_lines(budget, instructor):
    data = xlsx(
        [
            ("64", "Charges de personnel", None),
            ("641", "Salaires", "1 234,56"),
            (645, "Charges sociales", 765.44),
            ("7404", "Métropole Aix-Marseille-Provence", 2000),
            (None, None, None),
            ("870", "Bénévolat", "500"),
            ("864", None, "500,00"),
        ],
        title_rows=[("Budget 2024 de l'association",), ()],
    )
    result = budget_import.budget_import(budget, upload(data), user=instructor)
    assert result.ok, result.errors
    budget.refresh_from_db()
    assert budget.total_charges == budget.total_products == Decimal("2000.00")
    assert budget.total_contributions_charges == Decimal("500.00")
    assert budget.lines.get(account="864").label == "Personnel bénévole"
    # A new subsidy line under 7401–7409 counts as public by default.
    assert budget.lines.get(account="7404").is_public
    assert budget.problems() == []
    assert budget.updated_by == instructor


def test_every_problem_is_reported_with_its_row_and_nothing_is_saved(budget, instructor):
    before = snapshot(budget)
    data = xlsx(
        [
            ("641", "Salaires", "1000"),  # row 2: fine
            ("99", "Compte inconnu", "10"),  # row 3
            ("645", "Charges sociales", "beaucoup"),  # row 4
            ("625", "Déplacements", -50),  # row 5
            ("641", "Salaires", "20"),  # row 6: duplicate of row 2
            ("6251", None, "5"),  # row 7: free account without label
            (None, "Sans compte", "5"),  # row 8
            ("622", "Honoraires", "12,345"),  # row 9
            ("60", "Achats", 0),  # row 10
            ("60", "Achats encore", 0),  # row 11: chapter twice
        ]
    )
    result = budget_import.budget_import(budget, upload(data), user=instructor)
    assert not result.ok
    messages = {row: message for row, message in result.errors}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert "Compte « 99 » inconnu" in messages[3]
    assert messages[4] == (
        "Montant invalide : « beaucoup » n'est pas un montant : tapez par exemple 1 234,56 ou "
        "1234.56."
    )
    assert messages[5].startswith("Montant négatif (-50)")
    assert messages[6] == "Ligne en double : « 641 Salaires » figure déjà ligne 2."
    assert messages[7] == "Libellé manquant pour le compte 6251."
    assert messages[8] == "Compte manquant."
    assert "au plus deux décimales" in messages[9]
    assert messages[11] == "Ligne en double : le chapitre 60 figure déjà ligne 10."
    assert snapshot(budget) == before


def test_wrong_headers_save_nothing(budget, instructor):
    before = snapshot(budget)
    data = xlsx([("641", "Salaires", "10")], header=["Code", "Nom", "Valeur"])
    result = budget_import.budget_import(budget, upload(data), user=instructor)
    [(row, message)] = result.errors
    assert row is None
    assert message.startswith("En-têtes introuvables")
    assert snapshot(budget) == before


def test_a_realised_budget_reads_the_realised_column():
    budget = AssociationBudgetFactory(kind=AssociationBudget.Kind.REALISED)
    header = [*HEADER, "Montant réalisé"]
    data = xlsx([("641", "Salaires", "1000", "900,50")], header=header)
    result = read_budget_file(data, realised=True)
    assert result.ok
    assert [(r.account, r.amount) for r in result.rows] == [("641", Decimal("900.50"))]
    missing = read_budget_file(xlsx([("641", "Salaires", "1000")]), realised=True)
    assert "« Montant réalisé » est obligatoire" in missing.errors[0][1]
    assert budget.lines.count() == 0


def test_an_export_imports_back_to_the_same_budget_with_funder_links_kept():
    association = AssociationFactory()
    scs = load_scs_2023(association, association.authority)
    before = snapshot(scs)
    user = UserFactory(authority=association.authority)
    result = budget_import.budget_import(scs, upload(budget_workbook(scs)), user=user)
    assert result.ok, result.errors
    assert result.lines_written == 74
    scs.refresh_from_db()
    assert snapshot(scs) == before
    assert scs.amount_from(association.authority) == Decimal("66000.00")
    assert scs.total_charges == Decimal("954123.00")


# -- Hostile or broken files ---------------------------------------------------------------


def test_a_text_file_renamed_xlsx_is_refused(client, budget, instructor):
    before = snapshot(budget)
    client.force_login(instructor)
    fake = upload(b"Compte;Libell\xc3\xa9;Montant\n641;Salaires;1000\n")
    response = client.post(reverse("budget_import", args=[budget.pk]), {"file": fake})
    assert response.status_code == 200
    assert "Le fichier n&#x27;est pas un classeur Excel XLSX" in response.text
    assert "rien n'a été enregistré" in response.text
    assert snapshot(budget) == before


def test_a_zip_that_is_not_a_workbook_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    result = read_budget_file(output.getvalue(), realised=False)
    assert result.errors == [(None, "Le fichier n'est pas un classeur Excel XLSX (format .xlsx).")]


def test_a_damaged_workbook_is_refused():
    data = bytearray(xlsx([("641", "Salaires", "1")]))
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as source, zipfile.ZipFile(output, "w") as dest:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                content = b"<not xml"
            dest.writestr(item, content)
    result = read_budget_file(output.getvalue(), realised=False)
    assert result.errors == [(None, "Le classeur XLSX n'a pas pu être lu (fichier endommagé ?).")]


def test_a_file_above_the_size_limit_is_refused(monkeypatch, budget, instructor):
    monkeypatch.setattr(budget_import, "MAX_FILE_SIZE", 1000)
    data = xlsx([("641", "Salaires", "1")])
    result = budget_import.budget_import(budget, upload(data), user=instructor)
    assert result.errors[0][1].startswith("Le fichier dépasse")
    assert budget.lines.count() == 6


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(budget_import, "MAX_UNCOMPRESSED_SIZE", 2000)
    result = read_budget_file(xlsx([("641", "Salaires", "1")]), realised=False)
    assert result.errors == [(None, "Le classeur est trop volumineux une fois décompressé.")]


# -- Through the page ----------------------------------------------------------------------


def test_the_import_page_imports_and_redirects_to_the_budget(client, budget, instructor):
    client.force_login(instructor)
    data = xlsx([("641", "Salaires", "10"), ("756", "Cotisations", "10")])
    url = reverse("budget_import", args=[budget.pk])
    response = client.post(url, {"file": upload(data)}, follow=True)
    assert response.redirect_chain[-1][0] == budget.get_absolute_url()
    assert "Import réussi" in response.text
    budget.refresh_from_db()
    assert budget.total_charges == Decimal("10.00")


def test_an_import_opened_from_a_request_s_budget_step_comes_back_to_it(client):
    """« Importer un classeur à la place » on the budget page of a request's step keeps the
    way back: the import returns to the step, not to the budget's page."""
    from tests.grants.requests.factories import SubsidyRequestFactory

    draft = SubsidyRequestFactory()
    client.force_login(draft.created_by)
    step = reverse("request_step", args=[draft.pk, "budgets"])
    response = client.post(reverse("request_budget", args=[draft.pk, "annuel"]))
    edit = response.url
    assert edit.endswith(f"?retour={step}")
    budget = AssociationBudget.objects.get(association=draft.association)
    url = f"{reverse('budget_import', args=[budget.pk])}?retour={step}"
    assert f'href="{url}"' in client.get(edit).text
    assert f'href="{step}">Annuler' in client.get(url).text
    data = xlsx([("641", "Salaires", "10"), ("756", "Cotisations", "10")])
    response = client.post(url, {"file": upload(data)})
    assert response.status_code == 302 and response.url == step
    budget.refresh_from_db()
    assert budget.total_charges == budget.total_products == Decimal("10.00")


def test_the_import_page_lists_errors_with_row_numbers(client, budget, instructor):
    client.force_login(instructor)
    data = xlsx([("641", "Salaires", "10"), ("999", "X", "1"), ("645", "Y", "x")])
    response = client.post(reverse("budget_import", args=[budget.pk]), {"file": upload(data)})
    assert "Ligne 3 : Compte « 999 » inconnu" in response.text
    assert "Ligne 4 : Montant invalide" in response.text
    assert "2 problèmes à corriger" in response.text


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_cannot_import(client, budget, role):
    client.force_login(UserFactory(role=role, authority=budget.association.authority))
    url = reverse("budget_import", args=[budget.pk])
    assert client.get(url).status_code == 403
    data = xlsx([("641", "Salaires", "10")])
    assert client.post(url, {"file": upload(data)}).status_code == 403
    assert budget.lines.count() == 6


def test_the_export_has_real_number_cells():
    budget = balanced_budget()
    sheet = load_workbook(io.BytesIO(budget_workbook(budget)))["Budget"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value}
    assert rows["641"][2].value == 70000
    assert rows["641"][2].number_format == '#,##0.00\\ "€"'


# -- Hostile workbooks (issue 11, item 6) ---------------------------------------------------


def raw_xlsx(rows_xml, *, merges=(), dimension="A1"):
    """A minimal XLSX whose sheet XML is written by hand (a million rows, NaN cells, errors…)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    merge_xml = ""
    if merges:
        cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
        merge_xml = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="'
                + dimension.encode()
                + b'"/><sheetData>'
            )
            for chunk in rows_xml:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData>" + merge_xml.encode() + b"</worksheet>")
    return output.getvalue()


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_xml():
    cells = "".join(text_cell(f"{c}1", h) for c, h in zip("ABC", HEADER, strict=True))
    return f'<row r="1">{cells}</row>'


def line_xml(number, account, label, amount_cell):
    return (
        f'<row r="{number}">{text_cell(f"A{number}", account)}'
        f"{text_cell(f'B{number}', label)}{amount_cell}</row>"
    )


def refused(budget, instructor, data, *, rows_with_errors=None):
    """Import `data`: it must be refused with French messages and nothing saved."""
    before = snapshot(budget)
    result = budget_import.budget_import(budget, upload(data), user=instructor)
    assert not result.ok
    assert result.lines_written == 0
    assert snapshot(budget) == before
    if rows_with_errors is not None:
        assert sorted({row for row, _ in result.errors}) == rows_with_errors
    return result


def test_formulas_are_refused_with_their_cell_and_nothing_is_saved(budget, instructor):
    data = xlsx(
        [
            ("641", "Salaires", "=SUM(C3:C4)"),  # row 2
            ("645", '=HYPERLINK("http://127.0.0.1/","x")', "10"),  # row 3
            ("7404", "Métropole", "=1/0"),  # row 4
        ]
    )
    result = refused(budget, instructor, data, rows_with_errors=[2, 3, 4])
    messages = dict(result.errors)
    assert messages[2].startswith("Cellule C2 : les formules ne sont pas acceptées")
    assert messages[3].startswith("Cellule B3 : les formules ne sont pas acceptées")
    assert "Collage spécial" in messages[4]


def test_a_million_rows_are_refused_before_being_read(budget, instructor):
    rows = (line_xml(n, "641", "Salaires", f'<c r="C{n}"><v>1</v></c>') for n in range(2, 10**6))
    data = raw_xlsx([header_xml(), *rows], dimension="A1:C1000000")
    result = refused(budget, instructor, data)
    [(row, message)] = result.errors
    assert row is None
    assert message in (
        "Le fichier dépasse 2 Mo.",
        "Le classeur est trop volumineux une fois décompressé.",
    )


def test_reading_stops_at_the_row_limit(budget, instructor):
    """Below the size limits, a sheet of 60 000 rows is read only up to the limit."""
    rows = (f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 60_000))
    data = raw_xlsx([header_xml(), *rows])
    assert len(data) < budget_import.MAX_FILE_SIZE
    result = read_budget_file(data, realised=False)
    assert result.rows_scanned == budget_import.MAX_SCANNED_ROWS
    [(row, message)] = result.errors
    assert message.startswith("Le classeur compte plus de 5000 lignes (lignes vides comprises)")
    refused(budget, instructor, data)


def test_more_budget_lines_than_the_limit_are_refused(budget, instructor):
    rows = [
        line_xml(n, "6068", f"Achat {n}", f'<c r="C{n}"><v>1</v></c>')
        for n in range(2, budget_import.MAX_ROWS + 3)
    ]
    result = refused(budget, instructor, raw_xlsx([header_xml(), *rows]))
    assert result.errors == [(None, "Le classeur dépasse 1000 lignes de budget.")]


def test_a_40_megabyte_sheet_is_refused(budget, instructor):
    big = "A" * (40 * 1024 * 1024)
    data = raw_xlsx([header_xml(), line_xml(2, "641", big, '<c r="C2"><v>1</v></c>')])
    assert len(data) < budget_import.MAX_FILE_SIZE  # it compresses to almost nothing
    result = refused(budget, instructor, data)
    assert result.errors == [(None, "Le classeur est trop volumineux une fois décompressé.")]


def test_wrong_types_get_a_french_message_each(budget, instructor):
    cells = {
        2: '<c r="C2" t="n"><v>-1e309</v></c>',
        3: '<c r="C3" t="n"><v>1e309</v></c>',
        4: '<c r="C4" t="b"><v>1</v></c>',
        5: '<c r="C5" t="e"><v>#DIV/0!</v></c>',
        6: '<c r="C6" t="d"><v>2024-01-01T00:00:00</v></c>',
        7: text_cell("C7", "12,5,3"),
        8: '<c r="C8" t="n"><v>1000000000000000</v></c>',
        9: '<c r="C9" t="n"><v>-12.5</v></c>',
        10: text_cell("C10", "1e309"),
        11: '<c r="C11" t="n"><v>0.001</v></c>',
    }
    rows = [line_xml(n, "641", f"Ligne {n}", cell) for n, cell in cells.items()]
    result = refused(budget, instructor, raw_xlsx([header_xml(), *rows]))
    messages = {}
    for row, message in result.errors:
        messages.setdefault(row, message)
    assert sorted(messages) == list(cells)
    assert messages[2] == "Montant invalide : « -inf » n'est pas un montant."
    assert messages[3] == "Montant invalide : « inf » n'est pas un montant."
    assert messages[4] == "Montant invalide : « True » n'est pas un montant."
    assert messages[5] == "Cellule C5 : la cellule contient l'erreur #DIV/0!."
    assert messages[6] == "Montant invalide : la cellule contient une date, pas un montant."
    assert messages[7].startswith("Montant invalide : « 12,5,3 » n'est pas un montant")
    assert messages[8] == "Montant invalide : montant trop élevé (au plus 9 999 999 999,99 €)."
    assert messages[9].startswith("Montant négatif (-12.5)")
    assert messages[10].startswith("Montant invalide : « 1e309 » n'est pas un montant")
    assert "au plus deux décimales" in messages[11]


def test_a_nan_number_cell_is_a_damaged_file(budget, instructor):
    """openpyxl cannot read <v>NaN</v> as a number: the whole file is refused, in French."""
    data = raw_xlsx([header_xml(), line_xml(2, "641", "Salaires", '<c r="C2"><v>NaN</v></c>')])
    result = refused(budget, instructor, data)
    assert result.errors == [(None, "Le classeur XLSX n'a pas pu être lu (fichier endommagé ?).")]


def test_merged_cells_in_the_lines_are_refused(budget, instructor):
    rows = [
        line_xml(2, "641", "Salaires", '<c r="C2"><v>10</v></c>'),
        line_xml(3, "645", "Charges", '<c r="C3"><v>10</v></c>'),
    ]
    data = raw_xlsx([header_xml(), *rows], merges=["B2:B3"])
    result = refused(budget, instructor, data)
    assert (2, "Cellules fusionnées B2:B3 : défusionnez-les, une valeur par cellule.") in (
        result.errors
    )


def test_merged_cells_in_the_title_block_are_fine(budget, instructor):
    """The template itself merges A2:D2 above its header."""
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Budget 2024</t></is></c></row>',
        '<row r="2"></row>',
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Compte</t></is></c>'
        '<c r="B3" t="inlineStr"><is><t>Libellé</t></is></c>'
        '<c r="C3" t="inlineStr"><is><t>Montant prévisionnel</t></is></c></row>',
        line_xml(4, "641", "Salaires", '<c r="C4"><v>10</v></c>'),
        line_xml(5, "7404", "Métropole", '<c r="C5"><v>10</v></c>'),
    ]
    result = read_budget_file(raw_xlsx(rows, merges=["A1:D2"]), realised=False)
    assert result.ok, result.errors
