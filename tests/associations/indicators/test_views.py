"""Indicator pages: permissions on every view, the entry form, submission, the comparison
(table and SVG chart), set definitions, the convention page, query counts."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.indicators import services
from associations.indicators.checks import Entry
from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet
from grants.models import Role
from tests.associations.indicators.factories import IndicatorFactory, IndicatorSetFactory, small_set
from tests.conventions.factories import ConventionFactory
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ManagerFactory,
    StructureTypeFactory,
    UserFactory,
)
from tests.grants.finance.factories import convention_with, manager_of

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def s():
    return small_set()


@pytest.fixture
def association(s):
    return AssociationFactory(
        name="Pôle Alpha",
        authority=s.indicator_set.authority,
        structure_type=s.indicator_set.structure_type,
    )


@pytest.fixture
def manager(association):
    return ManagerFactory(associations=[association])


@pytest.fixture
def instructor(s):
    return UserFactory(role=Role.INSTRUCTOR, authority=s.indicator_set.authority)


def entries(s, **overrides):
    values = {
        s.members: Entry(total=D(120)),
        s.companies: Entry(total=D(95)),
        s.academics: Entry(total=D(15)),
        s.others: Entry(total=D(10)),
        s.new: Entry(total=D(12)),
        s.new_metro: Entry(total=D(9)),
        s.staff: Entry(women=D(40), men=D(60)),
    }
    return {indicator.pk: entry for indicator, entry in values.items()}


def fill(s, association, user, submit=False, **kwargs):
    report = services.report_save(
        association=association, indicator_set=s.indicator_set, entries=entries(s), user=user
    )
    return services.report_submit(report, user) if submit else report


def post_data(s, **overrides):
    data = {
        f"i{s.members.pk}-total": "120",
        f"i{s.companies.pk}-total": "95",
        f"i{s.academics.pk}-total": "15",
        f"i{s.others.pk}-total": "10",
        f"i{s.new.pk}-total": "12",
        f"i{s.new_metro.pk}-total": "9",
        f"i{s.staff.pk}-women": "40",
        f"i{s.staff.pk}-men": "60",
        f"i{s.staff.pk}-total": "",
        f"i{s.note.pk}-text": "Lancement de l'eDIH",
        "comment": "",
        "action": "save",
    }
    return {**data, **overrides}


def report_urls(association, indicator_set):
    args = [association.pk, indicator_set.pk]
    return {
        name: reverse(name, args=args)
        for name in [
            "indicator_report_detail",
            "indicator_report_edit",
            "indicator_report_submit",
            "indicator_report_reopen",
        ]
    }


def set_urls(s):
    set_args, indicator_args = [s.indicator_set.pk], [s.members.pk]
    return {
        "indicator_set_detail": reverse("indicator_set_detail", args=set_args),
        "indicator_set_edit": reverse("indicator_set_edit", args=set_args),
        "indicator_set_copy": reverse("indicator_set_copy", args=set_args),
        "indicator_create": reverse("indicator_create", args=set_args),
        "indicator_edit": reverse("indicator_edit", args=indicator_args),
        "indicator_delete": reverse("indicator_delete", args=indicator_args),
    }


SET_WRITES = ["indicator_set_edit", "indicator_set_copy", "indicator_create", "indicator_edit",
              "indicator_delete"]  # fmt: skip
REPORT_WRITES = ["indicator_report_edit", "indicator_report_submit", "indicator_report_reopen"]


# -- Permissions -----------------------------------------------------------------------------


def test_another_authoritys_staff_get_404_on_every_object(client, s, association, manager):
    fill(s, association, manager)
    client.force_login(UserFactory(role=Role.INSTRUCTOR, authority=AuthorityFactory()))
    urls = {**report_urls(association, s.indicator_set), **set_urls(s)}
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, post_data(s)).status_code == 404, name
    for name in ["indicator_report_list", "indicator_set_list", "indicator_comparison"]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Pôle Alpha" not in response.text and s.indicator_set.title not in response.text
    assert IndicatorReport.objects.get().values.count() == 7


def test_another_associations_manager_gets_404_on_reports_and_403_on_staff_pages(
    client, s, association, manager
):
    fill(s, association, manager)
    other = AssociationFactory(
        authority=association.authority, structure_type=association.structure_type
    )
    client.force_login(ManagerFactory(associations=[other]))
    for name, url in report_urls(association, s.indicator_set).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, post_data(s)).status_code == 404, name
    for name, url in set_urls(s).items():
        assert client.get(url).status_code == 403, name
    for name in ["indicator_set_list", "indicator_set_create", "indicator_comparison"]:
        assert client.get(reverse(name)).status_code == 403, name
    listing = client.get(reverse("indicator_report_list")).text
    assert "Pôle Alpha" not in listing


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_read_and_get_403_on_writes(client, s, association, manager, role):
    report = fill(s, association, manager, submit=True)
    client.force_login(UserFactory(role=role, authority=association.authority))
    reports, sets = report_urls(association, s.indicator_set), set_urls(s)
    reads = [reports["indicator_report_detail"], sets["indicator_set_detail"]] + [
        reverse(n) for n in ["indicator_report_list", "indicator_set_list", "indicator_comparison"]
    ]
    for url in reads:
        assert client.get(url).status_code == 200, url
    writes = [reports[n] for n in REPORT_WRITES] + [sets[n] for n in SET_WRITES]
    writes.append(reverse("indicator_set_create"))
    for url in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**post_data(s), "reason": "x"}).status_code == 403, url
    detail = client.get(reports["indicator_report_detail"]).text
    assert "Corriger les valeurs" not in detail and "Rouvrir" not in detail
    report.refresh_from_db()
    assert report.is_submitted and Indicator.objects.filter(pk=s.members.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, s, association):
    urls = [*report_urls(association, s.indicator_set).values(), *set_urls(s).values()]
    urls += [reverse("indicator_report_list"), reverse("indicator_comparison")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_manager_reads_and_fills_but_neither_reopens_nor_defines(
    client, s, association, manager
):
    client.force_login(manager)
    urls = report_urls(association, s.indicator_set)
    assert client.get(urls["indicator_report_detail"]).status_code == 200
    assert client.get(urls["indicator_report_edit"]).status_code == 200
    assert client.get(urls["indicator_report_reopen"]).status_code == 403
    assert client.get(reverse("indicator_set_create")).status_code == 403


def test_a_set_of_another_structure_type_is_404_for_an_association(client, s, manager):
    other_type = IndicatorFactory(
        indicator_set__authority=s.indicator_set.authority,
        indicator_set__structure_type=StructureTypeFactory(name="Incubateur"),
    ).indicator_set
    association = manager.managed_associations.get()
    client.force_login(manager)
    for url in report_urls(association, other_type).values():
        assert client.get(url).status_code == 404, url


# -- Filling and submitting ------------------------------------------------------------------


def test_a_women_men_mismatch_is_explained_in_french_and_nothing_is_lost(
    client, s, association, manager
):
    client.force_login(manager)
    url = reverse("indicator_report_edit", args=[association.pk, s.indicator_set.pk])
    response = client.post(url, post_data(s, **{f"i{s.staff.pk}-total": "101"}))
    assert response.status_code == 200
    assert "Les indicateurs n'ont pas été enregistrés." in response.text
    assert "Le total (101) ne correspond pas à femmes + hommes : 40 + 60 = 100." in response.text
    assert 'value="101"' in response.text and "Lancement de l&#x27;eDIH" in response.text
    total = re.search(rf'<input[^>]*name="i{s.staff.pk}-total"[^>]*>', response.text).group()
    assert 'aria-invalid="true"' in total and f'aria-describedby="errors-{s.staff.pk}"' in total
    assert f'id="errors-{s.staff.pk}"' in response.text
    assert not IndicatorReport.objects.exists()


def test_a_sub_indicator_sum_error_and_a_typo_are_explained(client, s, association, manager):
    client.force_login(manager)
    url = reverse("indicator_report_edit", args=[association.pk, s.indicator_set.pk])
    response = client.post(url, post_data(s, **{f"i{s.others.pk}-total": "11"}))
    assert (
        "La somme des sous-indicateurs de « Nombre d&#x27;adhérents » (95 + 15 + 11 = 121) "
        "n&#x27;est pas égale à sa valeur (120)." in response.text
    )
    response = client.post(url, post_data(s, **{f"i{s.new.pk}-total": "douze"}))
    assert "« douze » n&#x27;est pas un nombre : tapez par exemple 1 234 ou 12,5." in response.text
    assert not IndicatorReport.objects.exists()


def test_a_manager_saves_then_submits_after_confirmation(client, s, association, manager):
    client.force_login(manager)
    url = reverse("indicator_report_edit", args=[association.pk, s.indicator_set.pk])
    response = client.post(
        url, post_data(s, **{f"i{s.members.pk}-total": "1 20", "action": "submit"})
    )
    submit_url = reverse("indicator_report_submit", args=[association.pk, s.indicator_set.pk])
    assert response.status_code == 302 and response.url == submit_url
    report = IndicatorReport.objects.get()
    staff = report.values.get(indicator=s.staff)
    assert (staff.women, staff.men, staff.total) == (D(40), D(60), D(100))
    assert report.values.get(indicator=s.note).text == "Lancement de l'eDIH"
    assert not report.is_submitted  # saving never submits

    page = client.get(submit_url).text
    assert "Confirmer la soumission" in page
    response = client.post(submit_url)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_submitted and report.submitted_by == manager

    detail = client.get(report.get_absolute_url()).text
    assert 'badge-ok">Soumis<' in detail and "Modifier les valeurs" not in detail
    assert client.get(url).status_code == 403  # frozen for the manager


def test_an_incomplete_report_lists_what_blocks_its_submission(client, s, association, manager):
    client.force_login(manager)
    data = post_data(s, **{f"i{s.staff.pk}-women": "", f"i{s.staff.pk}-men": ""})
    client.post(reverse("indicator_report_edit", args=[association.pk, s.indicator_set.pk]), data)
    submit_url = reverse("indicator_report_submit", args=[association.pk, s.indicator_set.pk])
    page = client.get(submit_url).text
    assert "Le rapport ne peut pas encore être soumis." in page
    assert "« Effectifs cumulés » n&#x27;est pas renseigné (0 est une valeur)." in page
    client.post(submit_url)
    assert not IndicatorReport.objects.get().is_submitted


def test_staff_reopen_a_submitted_report_with_a_reason(client, s, association, manager, instructor):
    fill(s, association, manager, submit=True)
    client.force_login(instructor)
    url = reverse("indicator_report_reopen", args=[association.pk, s.indicator_set.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Ce champ est obligatoire." in response.text
    client.post(url, {"reason": "Les effectifs semblent inversés."})
    report = IndicatorReport.objects.get()
    assert not report.is_submitted and report.reopened_by == instructor
    client.force_login(manager)
    page = client.get(report.get_absolute_url()).text
    assert "Les effectifs semblent inversés." in page and "Modifier les valeurs" in page


def test_the_manager_sees_what_is_to_fill(client, s, association, manager):
    client.force_login(manager)
    page = client.get(reverse("indicator_report_list")).text
    edit = reverse("indicator_report_edit", args=[association.pk, s.indicator_set.pk])
    assert f'href="{edit}"' in page
    fill(s, association, manager)
    page = client.get(reverse("indicator_report_list")).text
    assert f'href="{edit}"' not in page and "Brouillon" in page


# -- Convention page -------------------------------------------------------------------------


def test_the_convention_page_shows_the_reports_status(client, s, association, manager, instructor):
    convention = ConventionFactory(association=association, year=2023)
    client.force_login(instructor)
    url = reverse("convention_detail", args=[convention.pk])
    assert "À renseigner par l'association" in client.get(url).text
    report = fill(s, association, manager, submit=True)
    page = client.get(url).text
    assert "Indicateurs 2023 (annexe V)" in page and "joint à la demande de solde" in page
    assert f'href="{report.get_absolute_url()}"' in page
    other_year = ConventionFactory(association=association, year=2025)
    assert "Aucun jeu défini" in client.get(reverse("convention_detail", args=[other_year.pk])).text


def test_the_balance_request_page_shows_the_indicators_to_join(client):
    convention = convention_with("66000.00")
    association = convention.association
    indicator_set = IndicatorSetFactory(
        authority=convention.authority, structure_type=association.structure_type,
        year=convention.year,
    )  # fmt: skip
    IndicatorFactory(indicator_set=indicator_set)
    client.force_login(manager_of(convention))
    balance = client.get(reverse("payment_request", args=[convention.pk, "solde"])).text
    assert f"Indicateurs {convention.year} (annexe V)" in balance
    assert reverse("indicator_report_edit", args=[association.pk, indicator_set.pk]) in balance
    advance = client.get(reverse("payment_request", args=[convention.pk, "acompte"])).text
    assert "(annexe V)" not in advance


# -- Comparison ------------------------------------------------------------------------------


@pytest.fixture
def two_years(s, association, manager, instructor):
    """Two associations reporting in 2022 (copied set) and 2023; one 2023 report is a draft."""
    previous = services.indicator_set_copy(
        s.indicator_set, year=2022, structure_type=s.indicator_set.structure_type, user=instructor
    )
    beta = AssociationFactory(
        name="Pôle Beta", acronym="BETA", authority=association.authority,
        structure_type=association.structure_type,
    )  # fmt: skip
    codes = {i.code: i.pk for i in previous.indicators.all()}

    def report(who, indicator_set, members, staff, submit):
        by_code = {i.code: i.pk for i in indicator_set.indicators.all()}
        values = {by_code["adherents_total"]: Entry(total=D(members)),
                  by_code["effectifs"]: Entry(women=D(staff[0]), men=D(staff[1]))}  # fmt: skip
        r = services.report_save(association=who, indicator_set=indicator_set, entries=values,
                                 user=instructor)  # fmt: skip
        if submit:
            r.status, r.submitted_at = IndicatorReport.Status.SUBMITTED, r.updated_at
            r.save()

    report(association, previous, 100, (30, 50), True)
    report(association, s.indicator_set, 1200, (40, 60), True)
    report(beta, s.indicator_set, 80, (10, 20), False)
    return codes


def test_the_comparison_table_crosses_associations_and_years(client, s, two_years, instructor):
    client.force_login(instructor)
    url = reverse("indicator_comparison")
    response = client.get(
        url, {"indicator_set": s.indicator_set.pk, "indicator": "adherents_total"}
    )
    page = response.text
    table = page[page.index('<table class="comparison-table">') :]
    headers = re.findall(r'<th scope="col" class="num">(\d{4})</th>', table)
    assert headers == ["2022", "2023"]
    alpha = table[table.index("Pôle Alpha") : table.index("Pôle Beta")]
    assert ">100</a>" in alpha and f">1{NBSP}200</a>" in alpha
    beta = table[table.index("Pôle Beta") :]
    assert ">80</a>" in beta and "brouillon" in beta
    assert re.search(r"<td[^>]*><span class=\"muted\">—</span></td>", beta)  # no 2022 report

    response = client.get(url, {"indicator_set": s.indicator_set.pk,
                                "indicator": "adherents_total", "status": "soumis"})  # fmt: skip
    assert "Pôle Beta" not in response.text


def test_the_chart_is_an_accessible_svg_with_one_bar_per_value(client, s, two_years, instructor):
    client.force_login(instructor)
    page = client.get(
        reverse("indicator_comparison"),
        {"indicator_set": s.indicator_set.pk, "indicator": "adherents_total"},
    ).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Nombre d&#x27;adhérents</title>' in svg
    assert "une barre par année (2022, 2023)" in svg
    bars = re.findall(r'<rect class="indicator-bar( is-draft)?" data-year="(\d+)" x="[\d.]+" '
                      r'y="[\d.]+" width="([\d.]+)"', svg)  # fmt: skip
    # Alpha 2022 (100), Alpha 2023 (1 200), Beta 2022 (none), Beta 2023 (80, draft).
    assert [(draft, year) for draft, year, _ in bars] == [
        ("", "2022"),
        ("", "2023"),
        ("", "2022"),
        (" is-draft", "2023"),
    ]
    alpha_2022, alpha_2023, beta_2022, beta_2023 = (float(width) for _, _, width in bars)
    assert alpha_2023 > alpha_2022 > beta_2023 > beta_2022 == 0
    assert alpha_2022 / alpha_2023 == pytest.approx(100 / 1200, rel=0.01)
    assert f"Pôle Alpha, 2023 : 1{NBSP}200</title>" in svg
    assert "Pôle Beta, 2023 : 80 (brouillon)</title>" in svg
    assert "Pôle Beta, 2022 : non renseigné</title>" in svg
    assert ",5" not in re.sub(r">[^<]*<", "><", svg)  # no localised decimals in attributes


def test_a_gendered_indicator_compares_women_or_men(client, s, two_years, instructor):
    client.force_login(instructor)
    url = reverse("indicator_comparison")
    params = {"indicator_set": s.indicator_set.pk, "indicator": "effectifs"}
    page = client.get(url, params).text
    assert '>100</a><br><span class="muted">F 40 · H 60</span>' in page
    page = client.get(url, {**params, "measure": "women"}).text
    assert "Effectifs cumulés — femmes" in page and ">40</a>" in page and ">30</a>" in page


def test_choosing_another_set_falls_back_to_its_first_indicator(client, s, instructor):
    other = IndicatorFactory(
        indicator_set__authority=s.indicator_set.authority, indicator_set__year=2021,
        label="Chiffre d'affaires", unit="euros",
    )  # fmt: skip
    client.force_login(instructor)
    params = {"indicator_set": other.indicator_set.pk, "indicator": "effectifs"}
    page = client.get(reverse("indicator_comparison"), params).text
    assert '<h2 id="indicator-title">Chiffre d&#x27;affaires</h2>' in page
    assert "Aucune valeur n'est encore renseignée" in page


# -- Definitions -----------------------------------------------------------------------------


def test_an_instructor_defines_a_set_and_its_indicators(client, instructor):
    client.force_login(instructor)
    cluster = StructureTypeFactory()
    data = {"structure_type": cluster.pk, "year": 2024, "title": "Indicateurs 2024"}
    response = client.post(reverse("indicator_set_create"), data)
    indicator_set = IndicatorSet.objects.get(year=2024)
    assert response.url == indicator_set.get_absolute_url()
    assert indicator_set.authority == instructor.authority
    response = client.post(reverse("indicator_set_create"), data)
    assert "Un jeu d&#x27;indicateurs existe déjà pour « Pôle de compétitivité » en 2024." in (
        response.text
    )

    url = reverse("indicator_create", args=[indicator_set.pk])
    client.post(url, {"label": "Nombre d'adhérents", "unit": "nombre", "position": 10,
                      "children_rule": "somme", "is_required": "on"})  # fmt: skip
    members = indicator_set.indicators.get()
    assert members.code == "nombre_d_adherents"
    response = client.post(url, {"label": "Chiffre d'affaires", "unit": "euros", "position": 20,
                                 "parent": members.pk, "children_rule": "somme"})  # fmt: skip
    assert "Un sous-indicateur a l&#x27;unité de son parent" in response.text
    response = client.post(url, {"label": "Faits", "unit": "texte", "is_gendered": "on",
                                 "position": 30, "children_rule": "somme"})  # fmt: skip
    assert "ne peut pas être réparti entre femmes et hommes" in response.text
    assert indicator_set.indicators.count() == 1


def test_deleting_an_indicator_asks_first_and_refuses_when_values_exist(
    client, s, association, manager, instructor
):
    client.force_login(instructor)
    url = reverse("indicator_delete", args=[s.note.pk])
    assert "Supprimer l'indicateur « Faits marquants » ?" in client.get(url).text
    assert Indicator.objects.filter(pk=s.note.pk).exists()
    client.post(url)
    assert not Indicator.objects.filter(pk=s.note.pk).exists()
    fill(s, association, manager)
    response = client.post(reverse("indicator_delete", args=[s.members.pk]))
    assert "ne peut plus être supprimé" in response.text
    assert Indicator.objects.filter(pk=s.members.pk).exists()


def test_copying_a_set_from_its_page(client, s, instructor):
    client.force_login(instructor)
    url = reverse("indicator_set_copy", args=[s.indicator_set.pk])
    assert 'value="2024"' in client.get(url).text  # next year by default
    response = client.post(url, {"year": 2024, "structure_type": s.indicator_set.structure_type_id})
    copy = IndicatorSet.objects.get(year=2024)
    assert response.url == copy.get_absolute_url() and copy.indicators.count() == 8


# -- Query counts ----------------------------------------------------------------------------


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def add_reports(s, instructor, n, start=0):
    for i in range(start, start + n):
        association = AssociationFactory(
            authority=s.indicator_set.authority, structure_type=s.indicator_set.structure_type
        )
        values = {s.members.pk: Entry(total=D(i + 1)), s.staff.pk: Entry(women=D(1), men=D(i))}
        services.report_save(association=association, indicator_set=s.indicator_set,
                             entries=values, user=instructor)  # fmt: skip


def test_query_counts_do_not_grow_with_the_rows(
    client, s, instructor, django_assert_max_num_queries
):
    client.force_login(instructor)
    pages = [
        (reverse("indicator_report_list"), None),
        (reverse("indicator_set_list"), None),
        (reverse("indicator_set_detail", args=[s.indicator_set.pk]), None),
        (reverse("indicator_comparison"), {"indicator": "effectifs", "measure": "men"}),
    ]
    add_reports(s, instructor, 3)
    few = [count_queries(client, url, params) for url, params in pages]
    add_reports(s, instructor, 27, start=3)
    IndicatorFactory.create_batch(3)
    many = [count_queries(client, url, params) for url, params in pages]
    assert few == many
    for url, params in pages:
        with django_assert_max_num_queries(10):
            client.get(url, params or {})


def test_the_report_pages_have_a_fixed_query_count(client, s, association, manager,
                                                   django_assert_max_num_queries):  # fmt: skip
    fill(s, association, manager)
    client.force_login(manager)
    urls = report_urls(association, s.indicator_set)
    for name in ["indicator_report_detail", "indicator_report_edit", "indicator_report_submit"]:
        with django_assert_max_num_queries(12):
            assert client.get(urls[name]).status_code == 200
