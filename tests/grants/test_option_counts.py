"""A choice among a big table is a search field, never a <select> of the whole table
(PERFORMANCE.md trap 8): with 300 rows in each big table, no form or filter page renders more
than 100 <option> elements, reached as the role that uses it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Association, AssociationBudget
from conventions.models import Convention
from deliberations.models import Deliberation
from grants.models import BudgetLine, Grant, Role, User
from tests.deliberations.factories import SessionFactory
from tests.factories import AuthorityFactory, ManagerFactory, UserFactory
from tests.grants.finance.factories import ConventionTemplateFactory

ROWS = 300
MAX_OPTIONS = 100
OPTION = re.compile(rb"<option[\s>]")


@pytest.fixture
def big(db):
    """One authority with 300 rows in each big table."""
    authority = AuthorityFactory()
    template = ConventionTemplateFactory(authority=authority)
    session = SessionFactory(body__authority=authority)
    associations = Association.objects.bulk_create(
        Association(authority=authority, name=f"Association {i:03d}", city="Marseille")
        for i in range(ROWS)
    )
    deliberations = Deliberation.objects.bulk_create(
        Deliberation(
            authority=authority, number=f"2024.{i:05d}", title=f"Soutien {i}", session=session
        )
        for i in range(ROWS)
    )
    grants = Grant.objects.bulk_create(
        Grant(
            authority=authority,
            association=association,
            deliberation=deliberations[i % 20],  # some deliberations grant several subsidies
            year=2024,
            amount=Decimal("30000.00"),
            object="Fonctionnement",
        )
        for i, association in enumerate(associations)
    )
    budgets = AssociationBudget.objects.bulk_create(
        AssociationBudget(association=association, year=2024) for association in associations
    )
    conventions = Convention.objects.bulk_create(
        Convention(
            authority=authority,
            association=association,
            template=template,
            template_version=1,
            number=f"C-{i:03d}",
            year=2024,
            advance_percentage=Decimal("80.00"),
            forecast_budget=budget,
            amount_total=Decimal("30000.00"),
            status=Convention.Status.DRAFT if i % 2 else Convention.Status.NOTIFIED,
        )
        for i, (association, budget) in enumerate(zip(associations, budgets, strict=True))
    )
    Convention.grants.through.objects.bulk_create(
        Convention.grants.through(convention=c, grant=g)
        for c, g in zip(conventions, grants, strict=True)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            authority=authority,
            year=2024,
            chapter="65",
            nature="65748",
            service_codes=f"SVC/L{i:03d}",
            label=f"Ligne {i}",
            voted_credits=Decimal("1000000.00"),
        )
        for i in range(ROWS)
    )
    User.objects.bulk_create(
        User(username=f"agent{i}", role=Role.VIEWER, authority=authority) for i in range(ROWS)
    )
    uncovered = Grant.objects.create(
        authority=authority,
        association=associations[0],
        deliberation=deliberations[0],
        year=2024,
        amount=Decimal("40000.00"),
        object="Projet sans convention ni engagement",
    )
    return {
        "authority": authority,
        "association": associations[1],
        "deliberation": deliberations[0],
        "draft": next(c for c in conventions if c.status == Convention.Status.DRAFT),
        "notified": next(c for c in conventions if c.status == Convention.Status.NOTIFIED),
        "grant": uncovered,
        "instructor": UserFactory(role=Role.INSTRUCTOR, authority=authority),
        "finance": UserFactory(role=Role.FINANCE, authority=authority),
        "manager": ManagerFactory(associations=associations[:3]),
    }


def _pages(big):
    association, draft = big["association"], big["draft"]
    instructor, finance, manager = "instructor", "finance", "manager"
    return [
        (instructor, reverse("home")),
        (instructor, reverse("association_list")),
        (instructor, reverse("association_create")),
        (instructor, reverse("association_edit", args=[association.pk])),
        (instructor, reverse("convention_list")),
        (instructor, reverse("convention_create")),
        # The form reloaded once the association is chosen (its grants and budgets).
        (instructor, reverse("convention_create") + f"?association={association.pk}&_reload=1"),
        (instructor, reverse("convention_edit", args=[draft.pk])),
        (instructor, reverse("amendment_create", args=[big["notified"].pk])),
        (instructor, reverse("grants_missing_convention")),
        (instructor, reverse("deliberation_list")),
        (instructor, reverse("deliberation_create")),
        (instructor, reverse("deliberation_edit", args=[big["deliberation"].pk])),
        (instructor, reverse("session_list")),
        (instructor, reverse("session_create")),
        (instructor, reverse("budget_list")),
        (instructor, reverse("budget_create", args=[association.pk])),
        (instructor, reverse("justificatif_queue")),
        (instructor, reverse("indicator_report_list")),
        (instructor, reverse("indicator_comparison")),
        (finance, reverse("finance_queue")),
        (finance, reverse("budget_line_list")),
        (finance, reverse("budget_line_create")),
        (finance, reverse("finance_grant_list")),
        (finance, reverse("grant_commit", args=[big["grant"].pk])),
        (finance, reverse("clawback_list")),
        (manager, reverse("home")),
        (manager, reverse("convention_list")),
    ]


def test_no_form_or_filter_lists_a_big_table(client, big):
    too_many = []
    for role, url in _pages(big):
        client.force_login(big[role])
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        options = len(OPTION.findall(response.content))
        if options > MAX_OPTIONS:
            too_many.append(f"{url} ({role}): {options} <option>")
    assert not too_many, "\n".join(too_many)


def test_the_big_tables_hold_the_rows_the_rule_is_about(big):
    """The test above proves something only if the tables are big."""
    authority = big["authority"]
    assert Association.objects.filter(authority=authority).count() == ROWS
    assert Deliberation.objects.filter(authority=authority).count() == ROWS
    assert AssociationBudget.objects.filter(association__authority=authority).count() == ROWS
    assert Convention.objects.filter(authority=authority).count() == ROWS
    assert BudgetLine.objects.filter(authority=authority, year=2024).count() == ROWS
    assert User.objects.filter(authority=authority).count() >= ROWS


def test_the_commitment_form_still_refuses_a_line_of_another_authority(client, big):
    """The search field sends a pk; the form checks it against the authority's lines."""
    other = BudgetLine.objects.create(
        authority=AuthorityFactory(),
        year=2024,
        chapter="65",
        nature="65748",
        service_codes="AUTRE",
        label="Ligne d'une autre collectivité",
        voted_credits=Decimal("1000.00"),
    )
    client.force_login(big["finance"])
    response = client.post(
        reverse("grant_commit", args=[big["grant"].pk]),
        {"budget_line": other.pk, "number": "EJ-1", "date": datetime.date(2024, 7, 1)},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not hasattr(Grant.objects.get(pk=big["grant"].pk), "commitment")
