"""Budget arithmetic and checks, at the cent; the SCS 2023 annex I as printed."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from associations.budgets import chart
from associations.budgets.demo import SCS_2023_LINES, load_budgets, load_scs_2023
from associations.budgets.models import AssociationBudget, AssociationBudgetLine
from grants.models import Role
from tests.associations.budgets.factories import (
    AssociationBudgetFactory,
    AssociationBudgetLineFactory,
    balanced_budget,
)
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    GrantFactory,
    ManagerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def eur(text):
    """'954 123,00 €' with the non-breaking spaces the app prints inside amounts."""
    return re.sub(r"(?<=\d) (?=\d)|(?<=\d) (?=€)", NBSP, text)


def codes(budget):
    budget.refresh_from_db()
    return [problem.code for problem in budget.problems()]


def add(budget, account, amount, **kwargs):
    return AssociationBudgetLineFactory(
        budget=budget, account=account, amount=Decimal(amount), **kwargs
    )


# -- Totals --------------------------------------------------------------------------------


def test_totals_are_the_sums_of_each_sides_lines():
    budget = balanced_budget()
    assert budget.total_charges == Decimal("100000.00")
    assert budget.total_products == Decimal("100000.00")
    assert budget.total_contributions_charges == Decimal("5000.00")
    assert budget.total_contributions_products == Decimal("5000.00")
    assert budget.grand_total_charges == Decimal("105000.00")
    assert budget.grand_total_products == Decimal("105000.00")


def test_an_empty_budget_totals_zero_and_is_balanced():
    budget = AssociationBudgetFactory()
    assert budget.total_charges == Decimal("0.00")
    assert budget.grand_total_products == Decimal("0.00")
    assert budget.problems() == []


def test_the_side_follows_the_account():
    budget = AssociationBudgetFactory()
    sides = {
        add(budget, account, "1").account: add(budget, account, "1").side
        for account in ["60", "6068", "7402", "756", "864", "87"]
    }
    assert sides == {
        "60": "charge",
        "6068": "charge",
        "7402": "produit",
        "756": "produit",
        "864": "emploi_contribution",
        "87": "contribution",
    }


def test_public_subsidies_count_only_public_subsidy_lines():
    budget = AssociationBudgetFactory()
    add(budget, "7402", "100000.00", is_public=True, label="Région")
    add(budget, "7404", "53000.00", is_public=True, label="Métropole")
    add(budget, "7410", "9000.00", is_public=False, label="Fondation")
    add(budget, "756", "40000.00", label="Cotisations")
    assert budget.public_subsidies_total == Decimal("153000.00")


def test_amount_from_an_authority_adds_its_lines():
    metropole = AuthorityFactory()
    budget = AssociationBudgetFactory()
    add(budget, "7404", "60000.00", authority=metropole, label="Fonctionnement")
    add(budget, "7404", "6000.50", authority=metropole, label="Projet")
    add(budget, "7402", "1000.00", authority=AuthorityFactory(), label="Région")
    assert budget.amount_from(metropole) == Decimal("66000.50")
    assert budget.amount_from(metropole.pk) == Decimal("66000.50")
    assert budget.amount_from(AuthorityFactory()) == Decimal("0.00")


# -- Checks at the cent --------------------------------------------------------------------


def test_a_balanced_budget_has_no_problem():
    assert codes(balanced_budget()) == []


def test_one_cent_more_of_charges_unbalances_the_budget():
    budget = balanced_budget()
    add(budget, "625", "0.01", label="Déplacements")
    budget.refresh_from_db()
    [problem] = budget.problems()
    assert problem.code == "charges_products_unbalanced"
    assert problem.message == eur(
        "Le budget n'est pas équilibré : total des charges 100 000,01 €, total des produits "
        "100 000,00 € (écart de 0,01 €)."
    )


def test_one_cent_more_of_87_unbalances_the_contributions():
    budget = balanced_budget()
    add(budget, "871", "0.01", label="Prestations")
    budget.refresh_from_db()
    [problem] = budget.problems()
    assert problem.code == "contributions_unbalanced"
    assert problem.message == eur(
        "Les contributions volontaires ne sont pas équilibrées : emplois (86) 5 000,00 €, "
        "contributions (87) 5 000,01 €."
    )


@pytest.mark.parametrize(
    ("field", "text", "computed"),
    [
        ("printed_total_charges", "Total des charges imprimé", "100 000,00 €"),
        ("printed_total_products", "Total des produits imprimé", "100 000,00 €"),
        ("printed_grand_total_charges", "Total général des charges imprimé", "105 000,00 €"),
        ("printed_grand_total_products", "Total général des produits imprimé", "105 000,00 €"),
    ],
)
def test_a_printed_total_one_cent_off_is_reported_with_both_figures(field, text, computed):
    budget = balanced_budget()
    exact = Decimal(computed.replace(" ", "").replace(",", ".").rstrip("€"))
    setattr(budget, field, exact)
    budget.save()
    assert codes(budget) == []
    setattr(budget, field, exact - Decimal("0.01"))
    budget.save()
    budget.refresh_from_db()
    [problem] = budget.problems()
    assert problem.code == field
    printed = f"{exact - Decimal('0.01'):,.2f}".replace(",", " ").replace(".", ",")
    assert problem.message == eur(f"{text} : {printed} € ; somme des lignes : {computed}.")


def test_no_printed_total_means_nothing_to_compare():
    budget = balanced_budget()
    assert budget.printed_total_charges is None
    assert codes(budget) == []


class TestFunderLine:
    @pytest.fixture
    def setup(self):
        budget = balanced_budget(year=2023)
        metropole = budget.association.authority
        line = budget.lines.get(account="7404")
        return budget, metropole, line

    def test_the_authoritys_line_equal_to_its_grant_is_fine(self, setup):
        budget, metropole, line = setup
        line.authority = metropole
        line.save()
        GrantFactory(association=budget.association, year=2023, amount=Decimal("60000.00"))
        assert codes(budget) == []

    def test_a_grant_one_cent_different_from_the_line_is_reported(self, setup):
        budget, metropole, line = setup
        line.authority = metropole
        line.save()
        GrantFactory(association=budget.association, year=2023, amount=Decimal("60000.01"))
        budget.refresh_from_db()
        [problem] = budget.problems()
        assert problem.code == "funder_line_differs_from_grant"
        assert problem.message == eur(
            f"La ligne de {metropole.name} indique 60 000,00 € alors que ses subventions pour "
            "2023 totalisent 60 000,01 €."
        )

    def test_several_grants_of_the_year_are_added(self, setup):
        budget, metropole, line = setup
        line.authority = metropole
        line.save()
        GrantFactory(association=budget.association, year=2023, amount=Decimal("50000.00"))
        GrantFactory(association=budget.association, year=2023, amount=Decimal("10000.00"))
        GrantFactory(association=budget.association, year=2024, amount=Decimal("99999.00"))
        assert codes(budget) == []

    def test_a_granting_authority_without_its_line_is_reported(self, setup):
        budget, metropole, _ = setup
        GrantFactory(association=budget.association, year=2023, amount=Decimal("60000.00"))
        budget.refresh_from_db()
        [problem] = budget.problems()
        assert problem.message.startswith(f"Aucune ligne du budget n'est rattachée à {metropole}")

    def test_before_any_grant_there_is_nothing_to_compare(self, setup):
        budget, metropole, line = setup
        line.authority = metropole
        line.save()
        assert codes(budget) == []


# -- Database guards -----------------------------------------------------------------------


def test_the_database_refuses_a_negative_amount():
    line = AssociationBudgetLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationBudgetLine.objects.filter(pk=line.pk).update(amount=Decimal("-0.01"))


def test_the_database_refuses_a_side_that_contradicts_the_account():
    line = AssociationBudgetLineFactory(account="641")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationBudgetLine.objects.filter(pk=line.pk).update(side="produit")


def test_the_database_refuses_a_funder_outside_subsidies():
    line = AssociationBudgetLineFactory(account="756")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationBudgetLine.objects.filter(pk=line.pk).update(authority=AuthorityFactory())


def test_one_budget_per_association_year_and_kind():
    budget = AssociationBudgetFactory()
    AssociationBudgetFactory(
        association=budget.association, year=budget.year, kind=AssociationBudget.Kind.REALISED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationBudgetFactory(association=budget.association, year=budget.year)


# -- The chart -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "chapter"),
    [("60", "60"), ("6068", "60"), ("7402", "74"), ("87", "87"), ("71", None), ("99", None)],
)
def test_an_account_belongs_to_the_chapter_of_its_first_two_digits(account, chapter):
    found = chart.chapter_of(account)
    assert (found.account if found else None) == chapter


def test_the_chart_follows_the_cerfa():
    accounts = [chapter.account for chapter in chart.CHAPTERS]
    assert accounts == [
        *[str(n) for n in range(60, 70)],
        "70",
        *[str(n) for n in range(73, 80)],
        "86",
        "87",
    ]
    subsidies = chart.CHAPTERS_BY_ACCOUNT["74"].sublines
    assert [s.label for s in subsidies][1:6] == [
        "Région(s)",
        "Département(s)",
        "Intercommunalité(s) : EPCI",
        "Commune(s)",
        "Organismes sociaux",
    ]
    assert [s.is_public for s in subsidies] == [True] * 9 + [False]


# -- Who sees what -------------------------------------------------------------------------


def test_budgets_are_visible_like_their_association():
    budget = AssociationBudgetFactory()
    authority = budget.association.authority
    other = AssociationBudgetFactory()
    visible = AssociationBudget.objects.visible_to
    assert list(visible(UserFactory(authority=authority, role=Role.VIEWER))) == [budget]
    assert list(visible(ManagerFactory(associations=[budget.association]))) == [budget]
    assert list(visible(ManagerFactory(associations=[AssociationFactory()]))) == []
    assert set(visible(UserFactory(role=Role.ADMIN, authority=None))) == {budget, other}


# -- The SCS 2023 annex I, as printed ------------------------------------------------------


@pytest.fixture
def scs():
    association = AssociationFactory(name="Pôle Solutions Communicantes Sécurisées")
    return load_scs_2023(association, association.authority)


def test_scs_annex_i_lines_add_up_to_what_the_printed_totals_hide(scs):
    assert scs.lines.count() == len(SCS_2023_LINES) == 74
    assert scs.total_charges == Decimal("954123.00")
    assert scs.total_products == Decimal("953330.00")
    assert scs.total_contributions_charges == Decimal("210000.00")
    assert scs.total_contributions_products == Decimal("210000.00")
    assert scs.grand_total_charges == Decimal("1164123.00")
    assert scs.grand_total_products == Decimal("1163330.00")
    assert scs.printed_total_charges == scs.printed_total_products == Decimal("953530.00")
    assert scs.printed_grand_total_charges == Decimal("1163530.00")
    assert scs.printed_grand_total_products == Decimal("1163530.00")
    assert scs.public_subsidies_total == Decimal("519993.00")
    assert scs.amount_from(scs.association.authority) == Decimal("66000.00")


def test_scs_annex_i_shows_its_printing_errors(scs):
    GrantFactory(association=scs.association, year=2023, amount=Decimal("66000.00"))
    problems = {problem.code: problem.message for problem in scs.problems()}
    assert list(problems) == [
        "charges_products_unbalanced",
        "printed_total_charges",
        "printed_total_products",
        "printed_grand_total_charges",
        "printed_grand_total_products",
    ]
    assert problems["printed_total_charges"] == eur(
        "Total des charges imprimé : 953 530,00 € ; somme des lignes : 954 123,00 €."
    )
    assert problems["printed_total_products"] == eur(
        "Total des produits imprimé : 953 530,00 € ; somme des lignes : 953 330,00 €."
    )
    assert problems["printed_grand_total_charges"] == eur(
        "Total général des charges imprimé : 1 163 530,00 € ; somme des lignes : 1 164 123,00 €."
    )
    # The seed's 86 (210 000) and 87 (190 000 + 20 000) agree: no contributions problem.
    assert "contributions_unbalanced" not in problems


def test_scs_sections_follow_the_cerfa_with_chapter_totals(scs):
    sections = scs.sections()
    charges = {block.account: block for block in sections["charge"]}
    assert list(charges) == [str(n) for n in range(60, 70)]
    assert charges["62"].total == Decimal("196024.00")
    assert charges["64"].total == Decimal("686416.00")
    assert charges["68"].total == charges["68"].unallocated == Decimal("2510.00")
    products = {block.account: block for block in sections["produit"]}
    assert products["74"].label == "Subventions d'exploitation (R)"
    assert [line.label for line in products["74"].lines[:2]] == [
        "Etat (pécunier les/les ministères) collectifs",
        "DGA",
    ]
    assert products["74"].total == Decimal("519993.00")


def test_the_demo_loader_is_idempotent_and_tolerates_a_missing_association(scs):
    context = {"scs": scs.association, "authorities": {"amp": scs.association.authority}}
    first = load_budgets(_Out(), context)["budget_scs_2023"]
    second = load_budgets(_Out(), context)["budget_scs_2023"]
    assert first.pk == second.pk == scs.pk
    assert second.lines.count() == 74
    assert AssociationBudget.objects.count() == 1
    assert load_budgets(_Out(), {}) == {}


class _Out:
    def write(self, text):
        pass
