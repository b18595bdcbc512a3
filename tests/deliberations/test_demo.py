import io

import pytest

from deliberations import demo
from deliberations.models import Attendance, Decision, Deliberation, Member, Session
from grants.demo import load_foundation
from grants.models import Grant

pytestmark = pytest.mark.django_db


def test_the_demo_holds_the_seed_and_is_idempotent():
    out = io.StringIO()
    context = load_foundation(out, {})
    first = demo.load_deliberations(out, context)
    second = demo.load_deliberations(out, context)
    assert first["deliberation_minalogic"].pk == second["deliberation_minalogic"].pk
    assert first["grant_minalogic"].pk == second["grant_minalogic"].pk
    assert Member.objects.count() == 68 and Attendance.objects.count() == 68
    assert Session.objects.count() == 1 and Decision.objects.count() == 4
    assert Grant.objects.filter(deliberation__isnull=False).count() == 1

    deliberation = Deliberation.objects.get(number="2024.00344")
    assert deliberation.status == Deliberation.Status.EXECUTORY and deliberation.is_unanimous
    assert deliberation.thematic == "Filière industrie"
    summary = deliberation.session.attendance
    assert (summary.in_office_count, summary.present_count) == (68, 51)
    assert (summary.proxies_count, summary.votes_count, summary.excused_count) == (9, 60, 8)
    assert [str(m) for m in summary.excused][:2] == ["M. Eric BERLIVET", "M. Jordan DA SILVA"]
    assert deliberation.session.presiding_signature_title == "La Première Vice-Présidente"
    assert deliberation.session.secretary_signature_title == "La Secrétaire de Séance"

    grant = second["grant_minalogic"]
    assert str(grant.amount) == "62500.00" and grant.association == context["minalogic"]
    assert grant.budget_imputation == "INUM/SUFLI/65748" and grant.year == 2024
    assert not deliberation.extract_pdf  # built on the first download, not here
    assert "68 membres en exercice, 51 présents, 9 pouvoirs, 60 voix" in out.getvalue()


def test_every_check_of_the_seed_passes():
    from deliberations import checks

    context = load_foundation(io.StringIO(), {})
    deliberation = demo.load_deliberations(io.StringIO(), context)["deliberation_minalogic"]
    deliberation = Deliberation.objects.get(pk=deliberation.pk)
    results = checks.deliberation_checks(deliberation) + checks.session_checks(deliberation.session)
    assert [(c.label, c.message) for c in results if c.level != "ok"] == []
