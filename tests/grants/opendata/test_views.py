"""Open-data pages: public files without login, the staff page, and the import screens."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.models import Grant, ImportBatch, Role
from grants.opendata import scdl
from tests.factories import AssociationFactory, GrantFactory, ManagerFactory, UserFactory
from tests.grants.opendata.factories import (
    VALID_EXAMPLE,
    antibes,
    authority_with_siret,
    published_grant,
    read_rows,
    siret_for,
)

pytestmark = pytest.mark.django_db


def csv_upload(rows_text, name="subventions.csv"):
    return SimpleUploadedFile(name, rows_text.encode("utf-8"), "text/csv")


def line(authority, **values):
    row = {
        "nomAttribuant": authority.name,
        "idAttribuant": authority.siret,
        "dateConvention": "2023-05-03",
        "nomBeneficiaire": "Club",
        "idBeneficiaire": siret_for("70000011"),
        "objet": "Fonctionnement",
        "montant": "30000",
        "nature": "aide en numéraire",
        "conditionsVersement": "unique",
        "datesPeriodeVersement": "2023-06-01",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
    }
    row.update(values)
    return ",".join(row.get(c, "") for c in scdl.COLUMNS)


def file_of(*lines):
    return "\n".join([",".join(scdl.COLUMNS), *lines]) + "\n"


# -- public ------------------------------------------------------------------------------------


def test_public_page_lists_the_years_and_needs_no_login(client, django_assert_max_num_queries):
    authority = authority_with_siret()
    published_grant(authority, year=2024)
    published_grant(authority, year=2023)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("opendata_public", args=[authority.siren]))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"/donnees-ouvertes/{authority.siren}/subventions-2024.csv" in text
    assert f"/donnees-ouvertes/{authority.siren}/subventions-2023.csv" in text


def test_a_year_without_grant_above_23_000_has_no_file_link(client):
    authority = authority_with_siret()
    published_grant(authority, year=2024)
    GrantFactory(
        authority=authority,
        year=2022,
        amount="23000.00",
        association=AssociationFactory(authority=authority),
    )
    text = client.get(reverse("opendata_public", args=[authority.siren])).text
    assert f"/donnees-ouvertes/{authority.siren}/subventions-2024.csv" in text
    assert "(1 subvention)" in text
    assert f"/donnees-ouvertes/{authority.siren}/subventions-2022.csv" not in text
    assert "<td>2022</td>" in text
    assert "Aucune subvention au-dessus de 23\u00a0000\u00a0€ cet exercice" in text


def test_public_csv_streams_the_scdl_file(client):
    authority = authority_with_siret()
    grant = published_grant(authority, year=2024)
    GrantFactory(
        authority=authority, year=2024, association=AssociationFactory(authority=authority)
    )
    response = client.get(f"/donnees-ouvertes/{authority.siren}/subventions-2024.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert [r["idBeneficiaire"] for r in read_rows(body)] == [grant.association.siret]


def test_public_urls_of_unknown_authorities_or_years_are_404(client):
    authority = authority_with_siret()
    published_grant(authority, year=2024)
    assert client.get("/donnees-ouvertes/123456789/").status_code == 404
    assert (
        client.get(f"/donnees-ouvertes/{authority.siren}/subventions-2019.csv").status_code == 404
    )


# -- staff page --------------------------------------------------------------------------------


def test_staff_page_lists_what_is_not_published_and_why(client, django_assert_max_num_queries):
    authority = authority_with_siret()
    published_grant(authority)
    GrantFactory(
        authority=authority, association=AssociationFactory(authority=authority, name="Sans N°")
    )
    user = UserFactory(role=Role.VIEWER, authority=authority)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("opendata_staff"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Sans N°" in text and "ni SIRET ni numéro RNA" in text
    assert "Déposer et analyser" not in text  # consultation reads, does not import
    for _ in range(5):
        GrantFactory(authority=authority, association=AssociationFactory(authority=authority))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("opendata_staff")).status_code == 200


def test_managers_and_anonymous_users_do_not_reach_the_staff_page(client):
    authority_with_siret()
    assert client.get(reverse("opendata_staff")).status_code == 302
    client.force_login(ManagerFactory())
    assert client.get(reverse("opendata_staff")).status_code == 403


# -- import screens ----------------------------------------------------------------------------


def test_upload_preview_then_import_the_valid_rows(client):
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.FINANCE, authority=authority))
    content = file_of(line(authority), line(authority, montant="40.000", objet="Autre"))
    response = client.post(reverse("opendata_import_upload"), {"file": csv_upload(content)})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("opendata_batch", args=[batch.pk])
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert (batch.rows_valid, batch.rows_refused) == (1, 1)
    assert Grant.objects.count() == 0  # the preview imports nothing
    page = client.get(response.url).content.decode()
    assert "Importer la ligne valide" in page
    assert "« 40.000 » est ambigu" in page

    client.post(reverse("opendata_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.rows_imported == 1
    grant = Grant.objects.get()
    assert grant.imported_record.batch == batch
    assert not batch.file
    # A second confirmation does nothing more.
    client.post(reverse("opendata_batch_confirm", args=[batch.pk]))
    assert Grant.objects.count() == 1


def test_ne_rien_importer(client):
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    client.post(reverse("opendata_import_upload"), {"file": csv_upload(file_of(line(authority)))})
    batch = ImportBatch.objects.get()
    client.post(reverse("opendata_batch_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED
    client.post(reverse("opendata_batch_confirm", args=[batch.pk]))
    assert Grant.objects.count() == 0


def test_column_mapping_step_when_names_are_not_recognised(client):
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    content = (
        "Date,Bénéficiaire,Siret,Libellé,Somme\n"
        f'2023-05-03,Club,{siret_for("70000012")},Fonctionnement,"25 000,00"\n'
    )
    client.post(reverse("opendata_import_upload"), {"file": csv_upload(content)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING
    page = client.get(reverse("opendata_batch", args=[batch.pk])).content.decode()
    assert "Faire correspondre les colonnes" in page
    assert "dateConvention" in page and '<option value="Somme">' in page
    client.post(
        reverse("opendata_batch_mapping", args=[batch.pk]),
        {
            "dateConvention": "Date",
            "nomBeneficiaire": "Bénéficiaire",
            "idBeneficiaire": "Siret",
            "objet": "Libellé",
            "montant": "Somme",
        },
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.rows_valid == 1
    client.post(reverse("opendata_batch_confirm", args=[batch.pk]))
    assert Grant.objects.get().amount == 25000


def test_bad_uploads_say_why_in_french(client, settings):
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    url = reverse("opendata_import_upload")
    response = client.post(url, {"file": csv_upload("x", name="liste.ods")}, follow=True)
    assert "Déposez un fichier .csv ou .xlsx" in response.content.decode()
    settings.OPENDATA_IMPORT_MAX_BYTES = 10
    response = client.post(url, {"file": csv_upload("x" * 20)}, follow=True)
    assert "la limite est de 0,0 Mo" in response.content.decode()
    settings.OPENDATA_IMPORT_MAX_BYTES = 1024 * 1024
    client.post(url, {"file": csv_upload("\x00\x01binaire")})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    page = client.get(reverse("opendata_batch", args=[batch.pk])).content.decode()
    assert "octets nuls" in page and "Rien n'a été importé" in page


def test_who_may_import(client):
    authority = authority_with_siret()
    url = reverse("opendata_import_upload")
    for role, expected in [(Role.VIEWER, 403), (Role.FINANCE, 302), (Role.ADMIN, 302)]:
        client.force_login(UserFactory(role=role, authority=authority))
        response = client.post(url, {"file": csv_upload(file_of(line(authority)))})
        assert response.status_code == expected, role
    client.force_login(ManagerFactory())
    assert client.post(url, {"file": csv_upload(file_of(line(authority)))}).status_code == 403


def test_another_authoritys_batch_is_404_and_its_rows_refused(client):
    authority = authority_with_siret()
    other = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=other))
    client.post(reverse("opendata_import_upload"), {"file": csv_upload(file_of(line(authority)))})
    batch = ImportBatch.objects.get()
    assert batch.rows_refused == 1
    assert "pas celui de la collectivité qui importe" in batch.issues.get().message
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    assert client.get(reverse("opendata_batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("opendata_batch_confirm", args=[batch.pk])).status_code == 404


def test_the_platform_admin_imports_the_official_example_for_a_chosen_authority(client):
    authority = antibes()
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    with VALID_EXAMPLE.open("rb") as handle:
        client.post(
            reverse("opendata_import_upload"),
            {
                "file": SimpleUploadedFile("exemple.csv", handle.read()),
                "collectivite": authority.siren,
            },
        )
    batch = ImportBatch.objects.get()
    assert batch.authority == authority and batch.rows_valid == 29
    client.post(reverse("opendata_batch_confirm", args=[batch.pk]))
    assert Grant.objects.filter(authority=authority).count() == 29
    page = client.get(reverse("opendata_staff") + f"?collectivite={authority.siren}&annee=2013")
    assert "subventions-2013.csv" in page.content.decode()


def test_imported_grants_are_marked_on_the_association_page(client, django_assert_max_num_queries):
    authority = authority_with_siret()
    user = UserFactory(role=Role.INSTRUCTOR, authority=authority)
    client.force_login(user)
    client.post(
        reverse("opendata_import_upload"),
        {"file": csv_upload(file_of(line(authority, referenceDecision="DEL-2019-12")))},
    )
    client.post(reverse("opendata_batch_confirm", args=[ImportBatch.objects.get().pk]))
    grant = Grant.objects.get()
    page = client.get(reverse("association_detail", args=[grant.association_id])).content.decode()
    assert "Importée" in page and "DEL-2019-12" in page
    assert "30 000,00" in page.replace("\u202f", " ").replace("\xa0", " ")


def test_an_unexpected_error_in_the_background_is_shown_not_a_500(client, monkeypatch):
    from grants.opendata import imports

    def broken(self, opener, size):
        raise RuntimeError("boom")

    monkeypatch.setattr(imports.Importer, "run", broken)
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    response = client.post(
        reverse("opendata_import_upload"), {"file": csv_upload(file_of(line(authority)))}
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and not batch.file
    page = client.get(response.url)
    assert page.status_code == 200
    assert "équipe technique en est informée" in page.content.decode()


def test_progress_is_recorded_and_the_page_refreshes_while_running(client):
    authority = authority_with_siret()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    content = file_of(*[line(authority, objet=f"Objet {n}") for n in range(600)])
    client.post(reverse("opendata_import_upload"), {"file": csv_upload(content)})
    batch = ImportBatch.objects.get()
    assert batch.progress_total == len(content.encode()) and batch.progress_percent == 100
    assert batch.rows_valid == 600
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.IMPORTING, progress_done=batch.progress_total // 2
    )
    page = client.get(reverse("opendata_batch", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Import en arrière-plan : 50 %" in page
