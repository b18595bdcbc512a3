"""The scale generator and the page bench, at a tiny size: the data respects the rules of the
requests' life, a second run refuses, and every benchmarked page answers with its floor (so the
bench cannot silently rot)."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command

from associations.models import Association
from conventions.models import Convention
from grants import bench, pdf, scale
from grants.requests import scale as request_scale
from grants.requests.models import Campaign, RequestEvent, RequestVersion, SubsidyRequest
from grants.requests.rules import FINAL, Status

pytestmark = pytest.mark.django_db

TINY = scale.SIZES["tiny"]


@pytest.fixture
def blank_pdfs(monkeypatch):
    """The demo's PDFs as one blank page: WeasyPrint's layout is 2/3 of load_demo's time and
    nothing here reads them (they stay valid PDFs for the upload checks)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = BytesIO()
    writer.write(buffer)
    blank = buffer.getvalue()
    weasyprint = pdf._import_weasyprint()
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, *args, **kwargs: blank)


def _assert_request_is_consistent(r, versions, last_event):
    assert isinstance(r.amount_requested, Decimal) and r.amount_requested > 0
    assert r.amount_requested == r.amount_requested.quantize(Decimal("0.01"))
    if r.proposed_amount is not None:
        assert isinstance(r.proposed_amount, Decimal)
        assert 0 <= r.proposed_amount <= r.amount_requested
    if r.status == Status.DRAFT:
        assert (r.version, r.submitted_at, r.reference, versions) == (0, None, "", [])
        assert last_event is None
        return
    # Deposited: its versions numbered from 1, the last one dated as the request.
    assert r.reference.startswith(f"DEM-{r.campaign.year}-")
    assert [v.number for v in versions] == list(range(1, r.version + 1))
    assert versions[-1].submitted_at == r.submitted_at == r.cer_subscribed_at
    assert versions[-1].data["fields"]["reference"] == r.reference
    assert r.campaign.opens_on <= versions[0].submitted_at.date() <= r.campaign.closes_on
    assert r.created_at <= versions[0].submitted_at
    assert last_event.to_status == r.status
    assert r.attest_accurate and r.cer_subscribed_by_id
    if r.status in {Status.IN_REVIEW, Status.TO_COMPLETE, Status.INSTRUCTED, Status.VOTED}:
        assert r.assigned_to.username == "instructeur"
    if r.status in {Status.INSTRUCTED, Status.VOTED}:
        assert r.proposed_amount is not None and r.opinion
    if r.status == Status.VOTED:
        assert r.grant.association_id == r.association_id
        assert r.grant.amount == r.proposed_amount
        if r.grant.deliberation_id:
            assert r.decided_at.date() == r.grant.deliberation.decided_on
    if r.status in FINAL:
        assert r.decided_at >= r.submitted_at
    if r.status in {Status.REFUSED, Status.CLOSED}:
        assert r.decision_reason and r.grant_id is None


def test_generate_scale_tiny_then_every_benchmarked_page_answers_with_its_floor(
    monkeypatch, blank_pdfs
):
    call_command("load_demo", force=True, stdout=StringIO())
    out = StringIO()
    call_command("generate_scale", size="tiny", stdout=out)
    assert "demandes de subvention (4 campagnes)" in out.getvalue()
    with pytest.raises(CommandError, match="déjà chargées .* ne s'exécute qu'une fois"):
        call_command("generate_scale", size="tiny", stdout=StringIO())

    scale_associations = Association.objects.filter(acronym__regex=r"^A[0-9]{5}$")
    assert scale_associations.count() == TINY["associations"]
    assert Convention.objects.filter(number__startswith="CV").count() == TINY["conventions"]
    campaigns = list(Campaign.objects.filter(scheme__name=request_scale.SCHEME).order_by("year"))
    assert len(campaigns) == 4 and all(c.envelope > 0 for c in campaigns)
    requests = list(
        SubsidyRequest.objects.filter(campaign__in=campaigns).select_related(
            "campaign", "grant__deliberation", "assigned_to"
        )
    )
    manager_requests = [r for r in requests if r.association.managers.exists()]
    assert len(requests) - len(manager_requests) == TINY["requests"]
    assert len(manager_requests) == 5  # one per past campaign, a draft, one in instruction
    versions = {}
    for version in RequestVersion.objects.filter(request__in=requests).order_by("number"):
        versions.setdefault(version.request_id, []).append(version)
    last_events = {}
    for event in RequestEvent.objects.filter(request__in=requests).order_by("created_at", "pk"):
        last_events[event.request_id] = event
    for r in requests:
        _assert_request_is_consistent(r, versions.get(r.pk, []), last_events.get(r.pk))
    past, current = campaigns[:-1], campaigns[-1]
    assert {r.status for r in requests if r.campaign in past} <= FINAL
    assert Status.VOTED in {r.status for r in requests if r.campaign in past}
    assert {r.status for r in requests if r.campaign == current} >= {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.INSTRUCTED,
    }
    assert current.is_open()
    # The grants' and budget lines' stored sums (bulk_create skips save()) match their
    # commitments and payments.
    from grants.finance.sums import stale_budget_lines, stale_grants
    from grants.models import BudgetLine, Grant

    assert Grant.objects.filter(paid_amount__gt=0).exists()
    assert not stale_grants(Grant.objects.all()).exists()
    assert BudgetLine.objects.filter(paid_amount__gt=0).exists()
    assert not stale_budget_lines(BudgetLine.objects.all()).exists()

    monkeypatch.setattr(bench, "RUNS", 1)
    results = {page.label: page.result for page in bench.run(StringIO())}
    assert {"campaign requests", "request detail", "my requests"} <= set(results)
    for label, result in results.items():
        # The commitment form redirects when every grant is committed already (tiny data).
        expected = {200, 302} if label == "commitment form" else {200}
        assert result["status"] in expected, label
    pages = bench.pages(current.authority_id)
    with_floor = {page.label for page in pages if page.floor is not None}
    assert {"campaign requests", "my requests"} <= with_floor
    for label in with_floor:
        assert results[label]["ratio"] > 0, label
