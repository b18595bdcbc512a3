from decimal import Decimal

import pytest
from django.urls import reverse

from conventions.models import Convention
from tests.conventions.factories import ConventionFactory, JustificatifFactory
from tests.factories import AuthorityFactory, GrantFactory, UserFactory

pytestmark = pytest.mark.django_db


def todo(client, user):
    client.force_login(user)
    return client.get(reverse("home")).context["todo"]


def test_staff_home_lists_what_waits_with_links_to_each_list(client):
    convention = ConventionFactory(status=Convention.Status.READY)
    JustificatifFactory(convention=convention)
    GrantFactory(association=convention.association, amount=Decimal("23000.01"), year=2025)
    GrantFactory(association=convention.association, amount=Decimal("23000.00"), year=2026)
    lines = todo(client, UserFactory(authority=convention.authority))
    assert [(label, count) for label, count, _ in lines] == [
        ("Justificatif déposé à examiner", 1),
        ("Convention prête à signer par l'association", 1),
        ("Subvention de plus de 23\u00a0000\u00a0€ sans convention", 1),
    ]
    assert lines[1][2] == reverse("convention_list") + "?status=prete_signature"


def test_other_authorities_work_is_not_counted(client):
    JustificatifFactory()
    client.force_login(UserFactory(authority=AuthorityFactory()))
    response = client.get(reverse("home"))
    assert response.context["todo"] == []
    assert "Rien n'attend votre collectivité" in response.text


def test_staff_home_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    convention = ConventionFactory(status=Convention.Status.READY)
    for kind in ["comptes_annuels", "rapport_activite", "pv_ag"]:
        JustificatifFactory(convention=convention, kind=kind)
    client.force_login(UserFactory(authority=convention.authority))
    # Session, user, associations (count, newest), the years, their totals, and every line of
    # work counted in one query.
    with django_assert_max_num_queries(7):
        client.get(reverse("home"))


def test_each_role_sees_its_own_work_first_and_the_amounts_split(client):
    from deliberations.models import Deliberation
    from tests.conventions.factories import signed
    from tests.deliberations.factories import DeliberationFactory, SessionFactory
    from tests.grants.finance.factories import PaymentFactory

    convention = ConventionFactory(status=Convention.Status.READY, year=2026)
    JustificatifFactory(convention=convention)
    authority = convention.authority
    adopted = DeliberationFactory(
        authority=authority, session=SessionFactory(body__authority=authority), votes_for=10
    )
    assert adopted.status == Deliberation.Status.ADOPTED
    draft = DeliberationFactory(authority=authority)
    GrantFactory(association=convention.association, amount=Decimal("40000.00"), year=2026,
                 deliberation=draft)  # fmt: skip
    GrantFactory(association=convention.association, amount=Decimal("1000.00"), year=2026,
                 deliberation=adopted)  # fmt: skip
    signed(convention)
    from django.utils import timezone

    certifier = UserFactory(authority=authority)
    PaymentFactory(convention=convention, status="service_fait", amount=Decimal("500.00"),
                   certified_at=timezone.now(), certified_by=certifier)  # fmt: skip

    finance = UserFactory(role="financier", authority=authority)
    labels = [label for label, _, _ in todo(client, finance)]
    assert labels == ["Demande de versement certifiée, à mandater"]
    response = client.get(reverse("home"))
    row = response.context["grant_totals"][0]
    # The factory's convention grant (62 500 €, no deliberation) and the draft's 40 000 € are
    # proposed, not voted.
    assert (row["year"], row["proposed"], row["voted"]) == (
        2026, Decimal("102500.00"), Decimal("1000.00"),
    )  # fmt: skip
    assert "examiner" not in response.text

    viewer = UserFactory(role="consultation", authority=authority)
    assert todo(client, viewer) == []


def test_the_counts_of_one_query_equal_each_querysets_count():
    from grants.models import Grant
    from grants.queries import counts

    assert counts([Grant.objects.all()]) == [0]  # no authority at all yet: one by one
    GrantFactory(amount=Decimal("23000.01"))
    GrantFactory(amount=Decimal("100.00"))
    querysets = [
        Grant.objects.all(),
        Grant.objects.filter(amount__gt=Decimal("23000")),
        Grant.objects.filter(amount__lt=0),
        Convention.objects.all(),
    ]
    assert counts(querysets) == [qs.count() for qs in querysets] == [2, 1, 0, 0]
