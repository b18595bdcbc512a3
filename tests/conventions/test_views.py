import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conventions.models import Convention
from grants.models import Role
from tests.conventions.factories import (
    ConventionFactory,
    ConventionTemplateFactory,
    JustificatifFactory,
    signable,
    signed,
)
from tests.factories import AssociationFactory, GrantFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention():
    convention = signable(ConventionFactory())
    convention.pdf_file.save("c.pdf", ContentFile(b"%PDF-1.4 generated"), save=True)
    return convention


def urls(convention, justificatif):
    pk = convention.pk
    return [
        reverse("convention_detail", args=[pk]),
        reverse("convention_edit", args=[pk]),
        reverse("convention_annex_edit", args=[pk, "programme"]),
        reverse("convention_pdf", args=[pk]),
        reverse("convention_signed_upload", args=[pk]),
        reverse("convention_step", args=[pk, "prete"]),
        reverse("amendment_create", args=[pk]),
        reverse("justificatif_download", args=[pk, justificatif.pk]),
    ]


def test_every_view_answers_404_to_another_authority_and_another_association(client, convention):
    justificatif = JustificatifFactory(convention=convention)
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.READY)
    others = [
        UserFactory(role=Role.INSTRUCTOR),  # another authority's staff
        ManagerFactory(associations=[AssociationFactory(authority=convention.authority)]),
    ]
    for user in others:
        client.force_login(user)
        for url in urls(convention, justificatif):
            assert client.get(url).status_code == 404, (user.role, url)
        response = client.post(reverse("convention_pdf_generate", args=[convention.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_see_but_get_403_on_actions(client, convention, role):
    client.force_login(UserFactory(role=role, authority=convention.authority))
    assert client.get(reverse("convention_detail", args=[convention.pk])).status_code == 200
    assert client.get(reverse("convention_pdf", args=[convention.pk])).status_code == 200
    for name, args in [
        ("convention_edit", [convention.pk]),
        ("convention_step", [convention.pk, "prete"]),
        ("amendment_create", [convention.pk]),
        ("convention_signed_upload", [convention.pk]),
        ("convention_create", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(reverse("convention_pdf_generate", args=[convention.pk]))
    assert response.status_code == 403


def test_a_manager_sees_their_signed_convention_but_not_a_draft(client, convention):
    manager = ManagerFactory(associations=[convention.association])
    client.force_login(manager)
    assert client.get(reverse("convention_detail", args=[convention.pk])).status_code == 404
    signed(convention)
    response = client.get(reverse("convention_detail", args=[convention.pk]))
    assert response.status_code == 200
    assert "Cohérence des données" not in response.text  # staff only
    pdf = client.get(reverse("convention_pdf", args=[convention.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("convention_edit", args=[convention.pk])).status_code == 403


def test_manager_records_the_association_signature(client, convention):
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.READY)
    client.force_login(ManagerFactory(associations=[convention.association]))
    url = reverse("convention_step", args=[convention.pk, "signature-association"])
    response = client.post(url, {"signer_name": "Jean DUPONT", "signed_on": "2024-07-01"})
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.status == Convention.Status.SIGNED_ASSOCIATION
    assert convention.association_signed_at == datetime.date(2024, 7, 1)


def test_illegal_step_shows_a_french_message_and_changes_nothing(client, convention):
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=convention.authority))
    url = reverse("convention_step", args=[convention.pk, "notification"])
    response = client.post(url, {"date": "2024-07-01"})
    assert response.status_code == 200
    assert "Impossible de notifier la convention" in response.text
    convention.refresh_from_db()
    assert convention.status == Convention.Status.DRAFT


def test_signed_scan_is_checked_by_content_and_becomes_the_reference(client, convention):
    signed(convention)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=convention.authority))
    url = reverse("convention_signed_upload", args=[convention.pk])
    fake = SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client.post(url, {"file": fake})
    assert "est pas un PDF" in response.text
    import io

    from pypdf import PdfWriter

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    scan = SimpleUploadedFile("scan.pdf", buffer.getvalue(), content_type="application/pdf")
    assert client.post(url, {"file": scan}).status_code == 302
    convention.refresh_from_db()
    assert convention.signed_sha256 and convention.reference_file == convention.signed_file
    body = b"".join(client.get(reverse("convention_pdf", args=[convention.pk])).streaming_content)
    assert body == buffer.getvalue()


def test_staff_create_a_convention_from_a_grant(client):
    grant = GrantFactory(amount=Decimal("23000.01"))
    template = ConventionTemplateFactory(authority=grant.authority)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=grant.authority))
    missing = client.get(reverse("grants_missing_convention"))
    assert grant.association.name in missing.text
    form = client.get(reverse("convention_create") + f"?subvention={grant.pk}")
    assert form.status_code == 200
    response = client.post(
        reverse("convention_create"),
        {
            "association": grant.association.pk, "template": template.pk, "year": 2024,
            "number": "2024-001", "grants": [grant.pk], "advance_percentage": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    convention = Convention.objects.get(number="2024-001")
    assert convention.amount == Decimal("23000.01")
    assert convention.advance_percentage == Decimal("80.00")
    assert convention.template_version == template.version
    assert grant.association.name not in client.get(reverse("grants_missing_convention")).text


def test_a_grant_of_exactly_23000_is_not_listed_as_missing_a_convention(client):
    grant = GrantFactory(amount=Decimal("23000.00"))
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=grant.authority))
    assert grant.association.name not in client.get(reverse("grants_missing_convention")).text


def test_list_filters_by_status_amount_and_association(client):
    first = ConventionFactory(association__name="Pôle SCS")
    ConventionFactory(association__authority=first.authority, association__name="Minalogic")
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=first.authority))
    url = reverse("convention_list")
    assert "Minalogic" in client.get(url).text
    response = client.get(url, {"association": "scs"})
    assert "Pôle SCS" in response.text and "Minalogic" not in response.text
    assert "Aucune convention" in client.get(url, {"amount_min": "70000"}).text
    assert "Aucune convention" in client.get(url, {"status": "soldee"}).text


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    first = ConventionFactory()
    for _ in range(rows - 1):
        ConventionFactory(association__authority=first.authority)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=first.authority))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("convention_list"), {"ordering": "-amount"})
    assert response.status_code == 200
    with django_assert_max_num_queries(5):
        client.get(reverse("convention_list"), {"obligation": "commissaire"})


def test_signed_scan_gets_the_same_content_checks_as_the_justificatifs(client, convention):
    signed(convention)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=convention.authority))
    url = reverse("convention_signed_upload", args=[convention.pk])
    empty = SimpleUploadedFile("scan.pdf", b"", content_type="application/pdf")
    assert "fichier soumis est vide" in client.post(url, {"file": empty}).text
    png = SimpleUploadedFile(
        "scan.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, content_type="image/png"
    )
    assert "en réalité une image PNG" in client.post(url, {"file": png}).text
    convention.refresh_from_db()
    assert not convention.signed_file


def test_the_edit_form_flags_the_previous_grants_a_convention_covers_as_before(client):
    """The form's previous grants and their "covered by a convention" flag: two EXISTS (one
    read the conventions table whole for each grant at "large"), the same flags as the single
    EXISTS over the conventions and their grants with the OR inside."""
    from django.db.models import Exists, OuterRef, Q

    from conventions.justificatifs.due import _previous_grants
    from tests.factories import AuthorityFactory

    draft = ConventionFactory(year=2026)
    association, authority = draft.association, draft.authority
    grant = {y: GrantFactory(association=association, year=y) for y in range(2020, 2026)}
    ConventionFactory(association=association, year=2025, grants=[grant[2025]])  # carries it
    ConventionFactory(association=association, year=2024, grants=[])  # same year, not linked
    multiyear = ConventionFactory(association=association, year=2021, grants=[grant[2021]])
    multiyear.grants.add(grant[2022])  # carried by a convention of another year
    other = AssociationFactory(authority=authority)
    ConventionFactory(association=other, year=2023, grants=[])  # another association's year
    stranger = AuthorityFactory()
    ConventionFactory(association=association, authority=stranger, year=2020, grants=[])

    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=authority))
    response = client.get(reverse("convention_edit", args=[draft.pk]))
    assert response.status_code == 200
    shown = [(row.grant, row.has_convention) for row in response.context["history"]]
    covered = {2025, 2024, 2022, 2021}
    assert shown == [(grant[y], y in covered) for y in range(2025, 2019, -1)]

    before = Convention.objects.filter(
        Q(grants=OuterRef("pk"))
        | Q(
            authority=OuterRef("authority"),
            association=OuterRef("association"),
            year=OuterRef("year"),
        )
    )
    rows = _previous_grants(association, None, 2026).annotate(before=Exists(before))
    assert [(g.pk, g.any_convention) for g in rows.order_by("-year")] == [
        (g.pk, g.before) for g in rows.order_by("-year")
    ]
