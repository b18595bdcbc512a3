"""Budget lines, their consumption, and commitments: pages, permissions and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from grants.finance import services
from grants.models import BudgetLine, Commitment, Payment, Role
from tests.factories import AuthorityFactory, GrantFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import (
    BudgetLineFactory,
    CommitmentFactory,
    PaymentFactory,
    convention_with,
    finance_of,
    instructor_of,
    manager_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def authority():
    return AuthorityFactory(name="Saint-Étienne Métropole")


@pytest.fixture
def finance(authority):
    return finance_of(authority)


@pytest.fixture
def line(authority):
    return BudgetLineFactory(
        authority=authority,
        year=2024,
        service_codes="INUM/SUFLI",
        nature="65748",
        voted_credits=D("100000.00"),
        label="Subventions aux pôles",
    )


def test_consumption_is_derived_from_commitments_and_payments(line):
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("62500.00"))
    commitment = CommitmentFactory(grant=grant, budget_line=line)
    convention = convention_with("62500.00", association=grant.association, year=2024)
    convention.grants.set([grant])
    user = finance_of(line.authority)
    certifier = instructor_of(line.authority)
    base = {"convention": convention, "certified_by": certifier, "certified_at": timezone.now()}
    PaymentFactory(
        **base,
        status=Payment.Status.PAID,
        amount=D("50000.00"),
        commitment=commitment,
        order_number="M1",
        order_date=datetime.date(2024, 8, 1),
        ordered_by=user,
        paid_date=datetime.date(2024, 8, 8),
    )
    PaymentFactory(
        **base,
        kind=Payment.Kind.BALANCE,
        amount_due=D("62500.00"),
        status=Payment.Status.ORDERED,
        amount=D("12500.00"),
        commitment=commitment,
        order_number="M2",
        order_date=datetime.date(2024, 9, 1),
        ordered_by=user,
    )
    row = BudgetLine.objects.with_consumption().get(pk=line.pk)
    assert row.committed == D("62500.00")
    assert row.ordered == D("62500.00")
    assert row.paid == D("50000.00")
    assert row.available == D("37500.00")


# ---- commitments -----------------------------------------------------------------------------


def commit(grant, line, user, number="EJ-1"):
    return services.grant_commit(
        grant=grant, budget_line=line, number=number, date=datetime.date(2024, 7, 1), user=user
    )


def test_a_commitment_within_the_available_credits_is_accepted_to_the_cent(line, finance):
    commit(GrantFactory(authority=line.authority, year=2024, amount=D("37500.00")), line, finance)
    last = GrantFactory(authority=line.authority, year=2024, amount=D("62500.00"))
    commitment = commit(last, line, finance, number="EJ-2")
    assert commitment.amount == D("62500.00")
    assert BudgetLine.objects.with_consumption().get(pk=line.pk).available == D("0.00")


def test_a_commitment_beyond_the_available_credits_is_refused_with_a_clear_message(line, finance):
    commit(GrantFactory(authority=line.authority, year=2024, amount=D("37500.00")), line, finance)
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("62500.01"))
    with pytest.raises(ValidationError) as error:
        commit(grant, line, finance, number="EJ-2")
    message = " ".join(error.value.messages)
    assert "Crédits insuffisants sur la ligne INUM/SUFLI/65748 (2024)" in message
    assert "62\xa0500,00\xa0€ disponibles pour une subvention de 62\xa0500,01\xa0€" in message
    assert not Commitment.objects.filter(grant=grant).exists()


def test_a_grant_is_committed_on_a_line_of_its_year_and_authority_once(line, finance):
    with pytest.raises(ValidationError):
        commit(GrantFactory(authority=line.authority, year=2023), line, finance)
    other = GrantFactory(year=2024)
    with pytest.raises(PermissionDenied):
        commit(other, line, finance)
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("1000.00"))
    commit(grant, line, finance)
    with pytest.raises(ValidationError):
        commit(grant, line, finance, number="EJ-9")


def test_an_engagement_number_is_used_once_a_year(line, finance):
    commit(GrantFactory(authority=line.authority, year=2024, amount=D("10")), line, finance)
    with pytest.raises(ValidationError) as error:
        commit(GrantFactory(authority=line.authority, year=2024, amount=D("10")), line, finance)
    assert "déjà utilisé" in " ".join(error.value.messages)


def test_only_finance_officers_commit(line):
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("10"))
    with pytest.raises(PermissionDenied):
        commit(grant, line, instructor_of(line.authority))


def test_voted_credits_cannot_fall_below_what_is_committed(line, finance):
    commit(GrantFactory(authority=line.authority, year=2024, amount=D("62500.00")), line, finance)
    line.voted_credits = D("62499.99")
    with pytest.raises(ValidationError) as error:
        services.budget_line_save(line, finance)
    assert "62\xa0500,00\xa0€" in " ".join(error.value.messages)
    line.voted_credits = D("62500.00")
    services.budget_line_save(line, finance)


def test_the_database_refuses_negative_credits(line):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(voted_credits=D("-0.01"))


# ---- pages -----------------------------------------------------------------------------------


def test_the_commit_page_selects_the_line_the_deliberation_cites(client, line, finance):
    grant = GrantFactory(
        authority=line.authority,
        year=2024,
        amount=D("62500.00"),
        budget_imputation="INUM/SUFLI/65748",
    )
    BudgetLineFactory(authority=line.authority, year=2024, service_codes="AUTRE")
    client.force_login(finance)
    response = client.get(reverse("grant_commit", args=[grant.pk]))
    assert response.status_code == 200
    assert response.context["form"].fields["budget_line"].initial == line.pk
    response = client.post(
        reverse("grant_commit", args=[grant.pk]),
        {"budget_line": line.pk, "number": "2024-EJ-000912", "date": "2024-07-15"},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get(grant=grant)
    assert (commitment.number, commitment.amount) == ("2024-EJ-000912", D("62500.00"))


def test_the_commit_page_shows_the_refusal_and_keeps_the_input(client, line, finance):
    grant = GrantFactory(authority=line.authority, year=2024, amount=D("100000.01"))
    client.force_login(finance)
    response = client.post(
        reverse("grant_commit", args=[grant.pk]),
        {"budget_line": line.pk, "number": "EJ-77", "date": "2024-07-15"},
    )
    assert response.status_code == 200
    assert "Crédits insuffisants" in response.content.decode()
    assert 'value="EJ-77"' in response.content.decode()
    assert not Commitment.objects.exists()


def test_finance_creates_and_edits_a_line(client, authority, finance):
    client.force_login(finance)
    data = {
        "year": 2025,
        "budget": "principal",
        "section": "fonctionnement",
        "chapter": "65",
        "nature": "65748",
        "service_codes": "inum/sufli",
        "label": "Pôles",
        "voted_credits": "450 000,00",
    }
    response = client.post(reverse("budget_line_create"), data)
    assert response.status_code == 302
    line = BudgetLine.objects.get(year=2025)
    assert (line.authority, line.service_codes, line.voted_credits) == (
        authority,
        "INUM/SUFLI",
        D("450000.00"),
    )
    response = client.post(reverse("budget_line_create"), data)
    assert "Cette imputation existe déjà" in response.content.decode()
    response = client.post(reverse("budget_line_create"), {**data, "year": 2026, "nature": "6042"})
    assert "appartient pas au chapitre 65" in response.content.decode()
    response = client.post(
        reverse("budget_line_edit", args=[line.pk]), {**data, "voted_credits": "500000"}
    )
    line.refresh_from_db()
    assert line.voted_credits == D("500000.00")


def test_instructors_read_lines_but_do_not_manage_them(client, line):
    client.force_login(instructor_of(line.authority))
    assert client.get(reverse("budget_line_list")).status_code == 200
    assert client.get(reverse("budget_line_detail", args=[line.pk])).status_code == 200
    assert client.get(reverse("budget_line_create")).status_code == 403
    assert client.get(reverse("budget_line_edit", args=[line.pk])).status_code == 403
    grant = GrantFactory(authority=line.authority, year=2024)
    assert client.get(reverse("grant_commit", args=[grant.pk])).status_code == 403


def test_association_managers_never_see_budget_lines(client, line):
    convention = convention_with(association__authority=line.authority)
    client.force_login(manager_of(convention))
    for url in (
        reverse("budget_line_list"),
        reverse("budget_line_export"),
        reverse("budget_line_detail", args=[line.pk]),
        reverse("finance_grant_list"),
        reverse("grant_export"),
    ):
        assert client.get(url).status_code == 403, url
    assert BudgetLine.objects.visible_to(manager_of(convention)).count() == 0


def test_another_authority_gets_404(client, line):
    other = AuthorityFactory()
    client.force_login(finance_of(other))
    assert client.get(reverse("budget_line_detail", args=[line.pk])).status_code == 404
    assert client.get(reverse("budget_line_edit", args=[line.pk])).status_code == 404
    grant = GrantFactory(authority=line.authority, year=2024)
    assert client.get(reverse("grant_commit", args=[grant.pk])).status_code == 404
    commitment = CommitmentFactory(grant=grant, budget_line=line)
    assert client.get(reverse("commitment_cancel", args=[commitment.pk])).status_code == 404
    response = client.get(reverse("budget_line_list"))
    assert response.context["page"].paginator.count == 0


def test_anonymous_users_are_sent_to_the_login_page(client, line):
    response = client.get(reverse("budget_line_list"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_a_commitment_is_cancelled_after_confirmation(client, line, finance):
    commitment = CommitmentFactory(
        grant=GrantFactory(authority=line.authority, year=2024), budget_line=line
    )
    client.force_login(finance)
    response = client.get(reverse("commitment_cancel", args=[commitment.pk]))
    assert "Annuler l'engagement" in response.content.decode()
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    client.post(reverse("commitment_cancel", args=[commitment.pk]))
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_the_line_list_filters_and_totals_all_pages(client, authority, finance):
    BudgetLineFactory(authority=authority, year=2024, voted_credits=D("1000.00"))
    BudgetLineFactory(authority=authority, year=2024, voted_credits=D("2000.00"))
    BudgetLineFactory(authority=authority, year=2023, voted_credits=D("4000.00"))
    client.force_login(finance)
    response = client.get(reverse("budget_line_list"), {"year": 2024})
    assert response.context["page"].paginator.count == 2
    assert response.context["totals"]["total_voted"] == D("3000.00")
    assert response.context["totals"]["total_available"] == D("3000.00")
    response = client.get(reverse("budget_line_list"), {"q": "inum/s0"})
    assert response.status_code == 200
    response = client.get(reverse("budget_line_list"), {"year": 1999})
    assert "Aucune ligne ne correspond à ces filtres" in response.content.decode()


def test_lines_sort_on_available_credits(client, authority, finance):
    full = BudgetLineFactory(authority=authority, voted_credits=D("100.00"), label="pleine")
    CommitmentFactory(
        grant=GrantFactory(authority=authority, year=2024, amount=D("100.00")), budget_line=full
    )
    BudgetLineFactory(authority=authority, voted_credits=D("50.00"), label="libre")
    client.force_login(finance)
    response = client.get(reverse("budget_line_list"), {"ordering": "available"})
    assert [line.label for line in response.context["page"]] == ["pleine", "libre"]
    response = client.get(reverse("budget_line_list"), {"with_available": "false"})
    assert [line.label for line in response.context["page"]] == ["pleine"]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_line_list_runs_a_fixed_number_of_queries(
    client, authority, finance, rows, django_assert_num_queries
):
    for _ in range(rows):
        line = BudgetLineFactory(authority=authority)
        CommitmentFactory(
            grant=GrantFactory(authority=authority, year=2024, amount=D("10.00")),
            budget_line=line,
        )
    client.force_login(finance)
    # session, user, the count with the totals row (one aggregate), page rows
    with django_assert_num_queries(4):
        response = client.get(reverse("budget_line_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows
    assert response.context["totals"]["total_committed"] == sum(
        c.amount for c in Commitment.objects.filter(budget_line__authority=authority)
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_line_detail_runs_a_fixed_number_of_queries(
    client, line, finance, rows, django_assert_num_queries
):
    for _ in range(rows):
        CommitmentFactory(
            grant=GrantFactory(authority=line.authority, year=2024, amount=D("10.00")),
            budget_line=line,
        )
    client.force_login(finance)
    # session, user, authority (header), the line, count, page of commitments
    with django_assert_num_queries(5):
        response = client.get(reverse("budget_line_detail", args=[line.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_the_grant_list_runs_a_fixed_number_of_queries(
    client, authority, finance, rows, django_assert_num_queries
):
    line = BudgetLineFactory(authority=authority)
    for i in range(rows):
        grant = GrantFactory(authority=authority, year=2024, amount=D("10.00"))
        if i % 2:
            CommitmentFactory(grant=grant, budget_line=line)
    client.force_login(finance)
    # session, user, the count with the totals row (one aggregate), page rows
    with django_assert_num_queries(4):
        response = client.get(reverse("finance_grant_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows
    totals = response.context["totals"]
    assert totals["voted"] == D("10.00") * rows
    committed = Commitment.objects.filter(grant__authority=authority).aggregate(s=Sum("amount"))
    assert totals["committed"] == committed["s"] and totals["committed"] > 0


def test_the_grant_list_filters_committed_grants(client, authority, finance):
    line = BudgetLineFactory(authority=authority)
    committed = GrantFactory(authority=authority, year=2024, amount=D("10.00"))
    CommitmentFactory(grant=committed, budget_line=line)
    pending = GrantFactory(authority=authority, year=2024, amount=D("20.00"))
    client.force_login(finance)
    response = client.get(reverse("finance_grant_list"), {"committed": "false"})
    assert list(response.context["page"]) == [pending]
    response = client.get(reverse("finance_grant_list"), {"committed": "true"})
    assert list(response.context["page"]) == [committed]
    assert response.context["totals"] == {"count": 1, "voted": D("10.00"), "committed": D("10.00")}


def test_viewers_read_but_cannot_act(client, line):
    viewer = UserFactory(role=Role.VIEWER, authority=line.authority)
    client.force_login(viewer)
    assert client.get(reverse("budget_line_list")).status_code == 200
    assert client.get(reverse("budget_line_create")).status_code == 403


def test_platform_admin_sees_every_authority(client, line):
    BudgetLineFactory()
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    response = client.get(reverse("budget_line_list"))
    assert response.context["page"].paginator.count == 2
    assert ManagerFactory  # imported for symmetry with the payments tests


def test_the_line_form_prefills_the_imputation_the_deliberation_cites_and_returns_to_commit(
    client,
):
    authority = AuthorityFactory()
    grant = GrantFactory(association__authority=authority, authority=authority, year=2026,
                         budget_imputation="INUM/SUFLI/65748")  # fmt: skip
    client.force_login(UserFactory(role=Role.FINANCE, authority=authority))
    back = reverse("grant_commit", args=[grant.pk])
    url = reverse("budget_line_create") + f"?subvention={grant.pk}&next={back}"
    form = client.get(url).context["form"]
    assert (form.initial["service_codes"], form.initial["nature"], form.initial["chapter"]) == (
        "INUM/SUFLI", "65748", "65",
    )  # fmt: skip
    data = {"year": 2026, "budget": "principal", "section": "fonctionnement", "chapter": "65",
            "nature": "65748", "service_codes": "INUM/SUFLI", "label": "Subventions",
            "voted_credits": "100 000,00", "next": back}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == back
    assert BudgetLine.objects.get(authority=authority).imputation == "INUM/SUFLI/65748"
    data.update(nature="65741", service_codes="INUM/OTHER", next="https://evil.example/")
    response = client.post(reverse("budget_line_create"), data)
    assert response.status_code == 302 and not response.url.startswith("https://evil")


def test_the_commitment_page_lists_the_checklist_before_the_button(client):
    from tests.deliberations.factories import DeliberationFactory

    authority = AuthorityFactory()
    grant = GrantFactory(association__authority=authority, authority=authority,
                         amount=Decimal("40000.00"))  # fmt: skip
    grant.deliberation = DeliberationFactory(authority=authority)  # a draft
    grant.save()
    client.force_login(UserFactory(role=Role.FINANCE, authority=authority))
    page = client.get(reverse("grant_commit", args=[grant.pk])).text
    assert "Bloquant" in page and "n&#x27;est pas adoptée" in page
    assert page.index("Avant d'engager") < page.index("Aucune ligne budgétaire")
