"""The readiness checklist: each step's blocks, the same in the page and in the service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from conventions import services
from conventions.models import Convention
from conventions.numbering import propose_number
from conventions.readiness import (
    ADVANCE_REQUEST,
    READY,
    SIGN_ASSOCIATION,
    SIGN_AUTHORITY,
    grant_commitment_readiness,
    readiness,
)
from grants.models import Role
from tests.conventions.factories import (
    ConventionFactory,
    ConventionTemplateFactory,
    signable,
    signed,
)
from tests.deliberations.factories import DeliberationFactory
from tests.factories import AssociationFactory, GrantFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Convention.Status
TODAY = datetime.date(2024, 7, 1)


def with_pdf(convention):
    convention.pdf_file.save("c.pdf", ContentFile(b"%PDF-1.4 fake"), save=True)
    Convention.objects.filter(pk=convention.pk).update(pdf_generated_at=convention.updated_at)
    convention.refresh_from_db()
    return convention


def codes(items, level=None):
    return [i.code for i in items if level is None or i.level == level]


def test_a_convention_without_deliberation_budget_nor_pdf_lists_each_block_with_a_link():
    convention = ConventionFactory(number="")
    items = readiness(convention, READY)
    assert codes(items, "error") == [
        "no_number", "no_pdf", "no_deliberation", "no_forecast_budget",
    ]  # fmt: skip
    edit = reverse("convention_edit", args=[convention.pk])
    assert {i.code: i.url for i in items}["no_forecast_budget"] == edit
    user = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    with pytest.raises(ValidationError, match="aucun budget prévisionnel n'est rattaché"):
        services.mark_ready(user=user, convention=convention)
    convention.refresh_from_db()
    assert convention.status == Status.DRAFT


def test_a_draft_deliberation_blocks_the_signature_and_the_page_shows_it_before_confirming(client):
    convention = with_pdf(signable(ConventionFactory()))
    deliberation = DeliberationFactory(authority=convention.authority)  # no session, no vote
    Convention.objects.filter(pk=convention.pk).update(deliberation=deliberation)
    convention.refresh_from_db()
    assert "deliberation_not_adopted" in codes(readiness(convention, READY), "error")
    user = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    client.force_login(user)
    url = reverse("convention_step", args=[convention.pk, "prete"])
    page = client.get(url).content.decode()
    assert f"La délibération n° {deliberation.number} n&#x27;est pas adoptée" in page
    assert deliberation.get_absolute_url() in page
    assert "Déclarer prête pour signature</button>" not in page  # no confirm button
    client.post(url)
    convention.refresh_from_db()
    assert convention.status == Status.DRAFT


def test_an_unbalanced_forecast_budget_blocks_and_links_to_its_entry():
    convention = with_pdf(signable(ConventionFactory()))
    budget = convention.forecast_budget
    line = budget.lines.filter(side="charge").first()
    line.amount += Decimal("793.00")
    line.save()
    items = readiness(Convention.objects.get(pk=convention.pk), READY)
    blocking = {i.code: i for i in items if i.is_error}
    assert "budget_unbalanced" in blocking
    assert blocking["budget_unbalanced"].url == reverse("budget_edit", args=[budget.pk])
    assert "écart" not in blocking["budget_unbalanced"].message  # our own sentence, once


def test_a_non_executory_deliberation_is_a_warning_to_acknowledge_then_blocks_the_authority(
    client,
):
    convention = with_pdf(signable(ConventionFactory(), executory=False))
    assert codes(readiness(convention, READY)) == ["deliberation_not_executory"]
    assert codes(readiness(convention, READY), "error") == []
    user = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    client.force_login(user)
    url = reverse("convention_step", args=[convention.pk, "prete"])
    response = client.post(url)
    assert "J&#x27;ai pris connaissance" in response.content.decode()
    convention.refresh_from_db()
    assert convention.status == Status.DRAFT
    response = client.post(url, {"acknowledge": "1"})
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.status == Status.READY

    manager = ManagerFactory(associations=[convention.association])
    services.record_association_signature(
        user=manager, convention=convention, signer_name="Jean DUPONT", signed_on=TODAY
    )
    assert "deliberation_not_executory" in codes(readiness(convention, SIGN_AUTHORITY), "error")
    with pytest.raises(ValidationError, match="n'est pas encore exécutoire"):
        services.record_authority_signature(
            user=user, convention=convention, signer_name="Martine", signed_on=TODAY
        )


def test_the_advance_request_is_refused_while_the_deliberation_is_not_executory():
    from grants.finance import services as finance

    convention = signed(signable(ConventionFactory(), executory=False))
    assert codes(readiness(convention, ADVANCE_REQUEST), "error") == ["deliberation_not_executory"]
    manager = ManagerFactory(associations=[convention.association])
    with pytest.raises(ValidationError, match="demander l'acompte"):
        finance.payment_request(
            convention=convention, user=manager, kind="acompte", signer_name="Jean",
            certified=True, amount=Decimal("1000.00"),
        )  # fmt: skip


def test_the_commitment_is_refused_for_a_draft_deliberation_and_warns_without_convention():
    grant = GrantFactory(amount=Decimal("40000.00"))
    grant.deliberation = DeliberationFactory(authority=grant.authority)
    grant.save()
    items = grant_commitment_readiness(grant)
    assert codes(items, "error") == ["deliberation_not_adopted"]
    assert codes(items, "warning") == ["no_convention"]
    assert f"?subvention={grant.pk}" in {i.code: i.url for i in items}["no_convention"]


def test_signature_pages_propose_today_as_the_date(client):
    convention = with_pdf(signable(ConventionFactory()))
    Convention.objects.filter(pk=convention.pk).update(status=Status.READY)
    client.force_login(ManagerFactory(associations=[convention.association]))
    page = client.get(reverse("convention_step", args=[convention.pk, "signature-association"]))
    from django.utils import timezone

    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page.content.decode()
    assert codes(readiness(convention, SIGN_ASSOCIATION), "error") == []


def test_the_number_follows_the_authority_pattern_and_skips_numbers_taken():
    convention = ConventionFactory(year=2026, number="2026-CONV-0002")
    authority = convention.authority
    assert propose_number(authority, 2026) == "2026-CONV-0003"
    authority.convention_number_pattern = "CONV/{year}/{seq:03d}"
    assert propose_number(authority, 2027) == "CONV/2027/001"


def test_new_convention_from_the_menu_one_association_field_and_its_grants_by_fragment(client):
    association = AssociationFactory()
    other = AssociationFactory(authority=association.authority)
    template = ConventionTemplateFactory(authority=association.authority)
    grant = GrantFactory(association=association, authority=association.authority, year=2026)
    GrantFactory(association=other, authority=association.authority, year=2026)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=association.authority))
    page = client.get(reverse("convention_create")).content.decode()
    assert page.count('name="association"') == 1
    assert "csrfmiddlewaretoken" not in reverse("convention_choices")
    assert f'<option value="{template.pk}" selected>' in page
    assert "-CONV-0001" in page
    assert "typed_amount" not in page  # paper fields have their own page

    fragment = client.get(reverse("convention_choices"), {"association": association.pk})
    assert f'value="{grant.pk}"' in fragment.content.decode()
    assert fragment.content.decode().count('name="grants"') == 1
    stranger = AssociationFactory()
    assert (
        client.get(reverse("convention_choices"), {"association": stranger.pk}).status_code == 404
    )
    assert client.get(reverse("convention_choices"), {"association": "x"}).status_code == 404

    response = client.post(
        reverse("convention_create"),
        {"association": association.pk, "template": template.pk, "year": 2026,
         "number": "2026-CONV-0001", "grants": [grant.pk], "advance_percentage": "80"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    convention = Convention.objects.get(number="2026-CONV-0001")
    assert list(convention.grants.all()) == [grant]


def test_paper_fields_are_saved_on_their_own_page(client):
    convention = ConventionFactory()
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=convention.authority))
    url = reverse("convention_paper_edit", args=[convention.pk])
    assert client.get(url).status_code == 200
    data = {"typed_amount": "66.000 €", "typed_eligible_cost": "", "typed_share_label": "",
            "association_signatory_name": "A"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.typed_amount == "66.000 €"
    client.force_login(ManagerFactory(associations=[convention.association]))
    assert client.get(url).status_code == 404  # a manager never sees a draft


def test_a_second_pdf_request_right_after_the_first_does_not_render_again(monkeypatch):
    convention = with_pdf(ConventionFactory())
    from django.utils import timezone

    Convention.objects.filter(pk=convention.pk).update(
        pdf_generated_at=timezone.now(), updated_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    convention.refresh_from_db()
    calls = []
    monkeypatch.setattr(services.pdf, "store_convention_pdf", lambda c, u, f=None: calls.append(c))
    user = UserFactory(role=Role.INSTRUCTOR, authority=convention.authority)
    services.generate_pdf(user=user, convention=convention)
    assert calls == []
