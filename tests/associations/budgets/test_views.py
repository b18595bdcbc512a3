"""Budget pages: permissions, contents, the entry form, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.budgets.demo import load_scs_2023
from associations.budgets.models import AssociationBudget
from grants.models import Role
from tests.associations.budgets.factories import (
    AssociationBudgetFactory,
    AssociationBudgetLineFactory,
    balanced_budget,
)
from tests.factories import AssociationFactory, AuthorityFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"

BUDGET_READ = ["budget_detail", "budget_export"]
BUDGET_WRITE = ["budget_edit", "budget_import", "budget_delete"]
ASSOCIATION_READ = ["association_budget_list"]
ASSOCIATION_WRITE = ["budget_create"]


@pytest.fixture
def budget():
    return balanced_budget(year=2023)


def urls(budget, names_budget, names_association):
    return [reverse(n, args=[budget.pk]) for n in names_budget] + [
        reverse(n, args=[budget.association_id]) for n in names_association
    ]


# -- Permissions ---------------------------------------------------------------------------


def test_another_authoritys_staff_get_404_everywhere(client, budget):
    client.force_login(UserFactory(authority=AuthorityFactory(), role=Role.INSTRUCTOR))
    every = urls(budget, BUDGET_READ + BUDGET_WRITE, ASSOCIATION_READ + ASSOCIATION_WRITE)
    for url in every:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("budget_delete", args=[budget.pk])).status_code == 404
    assert AssociationBudget.objects.filter(pk=budget.pk).exists()


def test_another_associations_manager_gets_404_everywhere(client, budget):
    other = AssociationFactory(authority=budget.association.authority)
    client.force_login(ManagerFactory(associations=[other]))
    every = urls(budget, BUDGET_READ + BUDGET_WRITE, ASSOCIATION_READ + ASSOCIATION_WRITE)
    for url in every:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("budget_delete", args=[budget.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_see_but_get_403_on_writes(client, budget, role):
    client.force_login(UserFactory(role=role, authority=budget.association.authority))
    for url in urls(budget, BUDGET_READ, ASSOCIATION_READ) + [reverse("budget_list")]:
        assert client.get(url).status_code == 200, url
    for url in urls(budget, BUDGET_WRITE, ASSOCIATION_WRITE):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    detail = client.get(budget.get_absolute_url()).text
    assert "Saisir les montants" not in detail
    assert AssociationBudget.objects.filter(pk=budget.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, budget):
    for url in urls(budget, BUDGET_READ + BUDGET_WRITE, ASSOCIATION_READ + ASSOCIATION_WRITE):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_associations_manager_may_write_its_budget(client, budget):
    client.force_login(ManagerFactory(associations=[budget.association]))
    for url in urls(budget, BUDGET_READ + BUDGET_WRITE, ASSOCIATION_READ + ASSOCIATION_WRITE):
        assert client.get(url).status_code == 200, url


# -- Detail --------------------------------------------------------------------------------


@pytest.fixture
def scs():
    association = AssociationFactory(name="Pôle SCS")
    return load_scs_2023(association, association.authority)


def test_the_detail_shows_the_cerfa_with_its_totals_and_problems(client, scs):
    client.force_login(UserFactory(authority=scs.association.authority))
    text = client.get(scs.get_absolute_url()).text.replace(NBSP, " ")
    assert "Cerfa n° 12156" in text
    assert "5 incohérences dans ce budget" in text
    assert "Total des charges imprimé : 953 530,00 € ; somme des lignes : 954 123,00 €." in text
    assert "imprimé : 953 530,00 €" in text
    assert "954 123,00 €" in text and "953 330,00 €" in text
    assert "1 164 123,00 €" in text and "1 163 330,00 €" in text
    assert "REGION SUD (dont transfert Etat Région : 161 609€)" in text
    assert "74 – Subventions d&#x27;exploitation (R)" in text
    assert "519 993,00 €" in text  # chapter 74 and the public subsidies


def test_a_balanced_budget_says_so(client, budget):
    client.force_login(UserFactory(authority=budget.association.authority))
    assert "Aucune incohérence" in client.get(budget.get_absolute_url()).text


def test_a_realised_budget_shows_the_forecast_and_the_gap(client, budget):
    realised = AssociationBudgetFactory(
        association=budget.association, year=2023, kind=AssociationBudget.Kind.REALISED
    )
    AssociationBudgetLineFactory(
        budget=realised, account="641", label="Rémunération des personnels", amount=63000
    )
    client.force_login(UserFactory(authority=budget.association.authority))
    text = client.get(realised.get_absolute_url()).text.replace(NBSP, " ")
    assert "Cerfa n° 15059" in text
    assert "70 000,00 €" in text and "63 000,00 €" in text
    assert "-7 000,00 €" in text
    assert "90,0 %" in text


def test_the_association_page_links_to_its_budgets(client, budget):
    client.force_login(UserFactory(authority=budget.association.authority))
    text = client.get(reverse("association_detail", args=[budget.association_id])).text
    assert budget.get_absolute_url() in text
    assert reverse("association_budget_list", args=[budget.association_id]) in text


# -- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_the_budget_list_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    authority = AuthorityFactory()
    for year in range(count):
        b = AssociationBudgetFactory(association__authority=authority, year=2000 + year)
        AssociationBudgetLineFactory(budget=b, amount=10)
    client.force_login(UserFactory(authority=authority))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("budget_list"))
    assert response.status_code == 200
    assert "10,00" in response.text


@pytest.mark.parametrize("count", [3, 30])
def test_the_association_budget_list_query_count_does_not_grow(
    client, django_assert_max_num_queries, count
):
    association = AssociationFactory()
    for year in range(count):
        AssociationBudgetFactory(association=association, year=2000 + year)
    client.force_login(ManagerFactory(associations=[association]))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("association_budget_list", args=[association.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("lines", [5, 60])
def test_the_detail_query_count_does_not_grow_with_lines(
    client, django_assert_max_num_queries, lines
):
    budget = AssociationBudgetFactory()
    for n in range(lines):
        AssociationBudgetLineFactory(
            budget=budget, account="7404", label=f"Financeur {n}", authority=AuthorityFactory()
        )
    client.force_login(UserFactory(authority=budget.association.authority))
    with django_assert_max_num_queries(7):
        response = client.get(budget.get_absolute_url())
    assert response.status_code == 200


# -- The entry form ------------------------------------------------------------------------


def form_data(response, **changes):
    """The form as the browser would post it back, with some amounts retyped."""
    formset, header = response.context["formset"], response.context["header"]
    data = {
        "version": response.context["version"],
        "lines-TOTAL_FORMS": str(len(formset.forms)),
        "lines-INITIAL_FORMS": str(len(formset.forms)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for name in header.fields:
        value = header.initial.get(name)
        data[name] = "" if value is None else str(value)
    for i, form in enumerate(formset.forms):
        initial = form.initial
        data.update(
            {
                f"lines-{i}-group": initial["group"],
                f"lines-{i}-account": initial["account"],
                f"lines-{i}-label": initial["label"],
                f"lines-{i}-amount": changes.get(initial["label"], str(initial["amount"])),
                f"lines-{i}-authority": initial["authority"] or "",
            }
        )
        if initial["is_public"]:
            data[f"lines-{i}-is_public"] = "on"
    return data


@pytest.fixture
def editor(client, budget):
    client.force_login(ManagerFactory(associations=[budget.association]))
    return client


def test_the_form_has_one_row_per_line_grouped_by_chapter(editor, budget):
    response = editor.get(reverse("budget_edit", args=[budget.pk]))
    assert len(response.context["formset"].forms) == 6
    assert [g["chapter"].account for g in response.context["groups"]][:3] == ["60", "61", "62"]
    assert 'data-add-line="74"' in response.text
    assert "js/budget_form.js" in response.text


def test_french_amounts_are_saved(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(
        editor.get(url),
        **{"Rémunération des personnels": "70 000,50", "Cotisations": "40000.50"},
    )
    response = editor.post(url, data)
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.total_charges == budget.total_products == Decimal("100000.50")


def test_a_bad_amount_saves_nothing_and_keeps_what_was_typed(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(editor.get(url), **{"Cotisations": "quarante mille", "Métropole": "61 000"})
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "« quarante mille » n&#x27;est pas un montant" in response.text
    assert 'value="61 000"' in response.text
    budget.refresh_from_db()
    assert budget.total_products == Decimal("100000.00")


def test_a_new_free_line_and_a_removed_line(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(editor.get(url))
    n = int(data["lines-TOTAL_FORMS"])
    data.update(
        {
            "lines-TOTAL_FORMS": str(n + 1),
            f"lines-{n}-group": "74",
            f"lines-{n}-account": "7402",
            f"lines-{n}-label": "Région Sud",
            f"lines-{n}-amount": "1 500",
            f"lines-{n}-is_public": "on",
        }
    )
    removed = next(i for i in range(n) if data[f"lines-{i}-label"] == "Cotisations")
    data[f"lines-{removed}-DELETE"] = "on"
    assert editor.post(url, data).status_code == 302
    budget.refresh_from_db()
    labels = {line.label for line in budget.lines.all()}
    assert "Région Sud" in labels and "Cotisations" not in labels
    assert budget.total_products == Decimal("61500.00")
    assert budget.public_subsidies_total == Decimal("1500.00")


def test_a_new_line_needs_a_sub_account(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(editor.get(url))
    n = int(data["lines-TOTAL_FORMS"])
    data.update(
        {
            "lines-TOTAL_FORMS": str(n + 1),
            f"lines-{n}-group": "65",
            f"lines-{n}-account": "65",
            f"lines-{n}-label": "Redevances",
            f"lines-{n}-amount": "10",
        }
    )
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "Précisez le compte de la sous-ligne" in response.text


def test_a_form_opened_before_someone_elses_save_saves_nothing(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(editor.get(url), Cotisations="1")
    AssociationBudget.objects.filter(pk=budget.pk).update(label="Changé ailleurs")
    budget.refresh_from_db()
    budget.save()  # bumps updated_at
    response = editor.post(url, data, follow=True)
    assert "depuis l&#x27;ouverture du formulaire" in response.text
    budget.refresh_from_db()
    assert budget.total_products == Decimal("100000.00")


def test_printed_totals_typed_in_the_form_are_checked(editor, budget):
    url = reverse("budget_edit", args=[budget.pk])
    data = form_data(editor.get(url))
    data["printed_total_charges"] = "99 999,99"
    response = editor.post(url, data, follow=True)
    text = response.text.replace(NBSP, " ")
    assert "Total des charges imprimé : 99 999,99 € ; somme des lignes : 100 000,00 €." in text


def test_creating_a_budget_opens_its_form(editor, budget):
    url = reverse("budget_create", args=[budget.association_id])
    response = editor.post(url, {"year": "2025", "kind": "previsionnel", "label": ""})
    created = AssociationBudget.objects.get(year=2025)
    assert response.url == reverse("budget_edit", args=[created.pk])
    duplicate = editor.post(url, {"year": "2023", "kind": "previsionnel"})
    assert duplicate.status_code == 200
    assert "déjà un budget de cette nature" in duplicate.text


def test_a_project_budget_is_made_by_a_request_not_by_the_budget_form(editor, budget):
    url = reverse("budget_create", args=[budget.association_id])
    assert 'value="projet"' not in editor.get(url).text
    response = editor.post(url, {"year": "2025", "kind": "projet", "label": "Festival"})
    assert response.status_code == 200 and "choix valide" in response.text
    assert not AssociationBudget.objects.filter(kind="projet").exists()


def test_project_budgets_show_in_the_list_and_filter_by_kind(editor, budget):
    AssociationBudget.objects.create(
        association=budget.association, year=2023, kind="projet", label="Festival d'été"
    )
    AssociationBudget.objects.create(
        association=budget.association, year=2023, kind="projet", label="Ateliers"
    )
    listing = editor.get(reverse("budget_list"), {"kind": "projet"})
    assert listing.status_code == 200
    assert {b.label for b in listing.context["page"]} == {"Festival d'été", "Ateliers"}
    project = AssociationBudget.objects.get(label="Ateliers")
    assert editor.get(project.get_absolute_url()).context["budget"].cerfa_number == "12156"


def test_deleting_asks_first(editor, budget):
    url = reverse("budget_delete", args=[budget.pk])
    assert "Supprimer définitivement" in editor.get(url).text
    assert AssociationBudget.objects.filter(pk=budget.pk).exists()
    response = editor.post(url)
    assert response.url == reverse("association_budget_list", args=[budget.association_id])
    assert not AssociationBudget.objects.filter(pk=budget.pk).exists()


def test_a_budget_used_as_annex_i_links_to_its_convention_and_cannot_be_deleted(editor, budget):
    from tests.conventions.factories import ConventionFactory

    convention = ConventionFactory(
        association=budget.association, year=2023, forecast_budget=budget
    )
    staff = UserFactory(authority=budget.association.authority)
    editor.force_login(staff)
    detail = editor.get(budget.get_absolute_url()).text
    assert reverse("convention_detail", args=[convention.pk]) in detail
    response = editor.post(reverse("budget_delete", args=[budget.pk]), follow=True)
    assert "annexe d&#x27;une convention" in response.text
    assert AssociationBudget.objects.filter(pk=budget.pk).exists()
