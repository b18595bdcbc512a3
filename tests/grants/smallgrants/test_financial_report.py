"""The compte rendu financier (Cerfa 15059) of a grant affected to a specific expense."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grants import rules
from grants.models import FinancialReport
from grants.smallgrants import services
from tests.conventions.justificatifs.factories import pdf_upload, png_bytes, upload
from tests.grants.smallgrants.factories import people, small_grant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("year", "due"),
    [(2023, datetime.date(2024, 6, 30)), (2024, datetime.date(2025, 6, 30))],
)
def test_due_six_months_after_the_year(year, due):
    assert rules.financial_report_due_date(year) == due


def test_late_from_the_day_after_the_due_date():
    assert not rules.financial_report_overdue(2024, datetime.date(2025, 6, 30))
    assert rules.financial_report_overdue(2024, datetime.date(2025, 7, 1))
    assert not rules.financial_report_overdue(2024, datetime.date(2024, 12, 31))


def test_only_a_grant_affected_to_a_specific_expense_has_one():
    assert small_grant().financial_report_due_date is None
    grant = small_grant(specific_expense=True)
    assert grant.financial_report_due_date == datetime.date(2025, 6, 30)


def test_the_manager_hands_in_a_pdf():
    grant = small_grant(specific_expense=True)
    p = people(grant.authority, grant.association)
    report = services.financial_report_upload(
        grant=grant, user=p["manager"], upload=pdf_upload("cr.pdf")
    )
    assert report.content_type == "application/pdf" and len(report.sha256) == 64
    with pytest.raises(ValidationError, match="déjà celui"):
        services.financial_report_upload(
            grant=grant, user=p["manager"], upload=pdf_upload("cr.pdf")
        )
    replaced = services.financial_report_upload(
        grant=grant, user=p["manager"], upload=pdf_upload("cr2.pdf", pages=2)
    )
    assert FinancialReport.objects.get(grant=grant).sha256 == replaced.sha256


def test_refused_when_not_a_pdf_or_not_asked_or_not_the_manager():
    grant = small_grant(specific_expense=True)
    p = people(grant.authority, grant.association)
    with pytest.raises(ValidationError, match="image PNG"):
        services.financial_report_upload(
            grant=grant, user=p["manager"], upload=upload("cr.pdf", png_bytes())
        )
    for name in ("instructor", "other_manager"):
        with pytest.raises(PermissionDenied):
            services.financial_report_upload(grant=grant, user=p[name], upload=pdf_upload())
    plain = small_grant(grant.authority, association=grant.association)
    with pytest.raises(ValidationError, match="n'est pas affectée"):
        services.financial_report_upload(grant=plain, user=p["manager"], upload=pdf_upload())


def test_the_page_shows_the_due_date_and_uploads(client):
    grant = small_grant(specific_expense=True)
    p = people(grant.authority, grant.association)
    client.force_login(p["manager"])
    page = client.get(reverse("small_grant_detail", args=[grant.pk])).text
    assert "30/06/2025" in page and "Déposer le compte rendu financier" in page
    url = reverse("financial_report_upload", args=[grant.pk])
    response = client.post(url, {"file": upload("cr.pdf", png_bytes())})
    assert response.status_code == 200 and "image PNG" in response.text
    assert client.post(url, {"file": pdf_upload("cr.pdf")}).status_code == 302
    download = client.get(reverse("financial_report_download", args=[grant.pk]))
    assert download["Content-Type"] == "application/pdf"
    client.force_login(p["other_manager"])
    assert client.get(reverse("financial_report_download", args=[grant.pk])).status_code == 404


def test_the_page_says_when_it_is_late(client, monkeypatch):
    grant = small_grant(specific_expense=True)
    client.force_login(people(grant.authority, grant.association)["manager"])
    url = reverse("small_grant_detail", args=[grant.pk])
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2025, 6, 30))
    assert "en retard" not in client.get(url).text
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2025, 7, 1))
    assert "Non déposé, en retard" in client.get(url).text
