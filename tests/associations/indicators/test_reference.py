"""The annex V set of the SCS seed, the Minalogic key figures, and the demo reports."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from associations.indicators.demo import load_indicators
from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet
from associations.indicators.reference import AMP_SIREN, SEM_SIREN, load_reference_sets
from associations.indicators.services import submission_problems
from grants.demo import load_foundation
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

MEMBERS = "Nombre d'adhérents total en 2023 sur la Métropole"
HEADCOUNT = "Répartition des entreprises adhérentes par effectif"
NEW = "Nombre de nouveaux adhérents sur l'année"
PROJECTS = (
    "Nombre de projets de R&D incluant au moins un acteur sur le territoire métropolitain, "
    "labellisés sur l'année"
)
ANNEX_V = [
    # (label, parent label, gendered, group)
    (MEMBERS, None, False, ""),
    ("dont entreprises", MEMBERS, False, ""),
    ("dont établissements d'enseignement supérieur et laboratoire", MEMBERS, False, ""),
    ("dont autres", MEMBERS, False, ""),
    ("moins de 10 salariés", "dont entreprises", False, HEADCOUNT),
    ("de 11 à 50 salariés", "dont entreprises", False, HEADCOUNT),
    ("51 à 100 salariés", "dont entreprises", False, HEADCOUNT),
    ("101 à 500 salariés", "dont entreprises", False, HEADCOUNT),
    ("Plus de 500 salariés", "dont entreprises", False, HEADCOUNT),
    (NEW, None, False, ""),
    ("dont métropolitains", NEW, False, ""),
    ("Effectifs cumulés des entreprises adhérentes sur la Métropole", None, True, ""),
    (PROJECTS, None, False, ""),
    ("dont PSPC", PROJECTS, False, ""),
    ("dont H2020", PROJECTS, False, ""),
    ("dont autres (préciser)", PROJECTS, False, ""),
    ("Evaluation de l'impact emploi des projets labellisés sur le territoire", None, True, ""),
]


@pytest.fixture
def demo():
    out = io.StringIO()
    context = load_foundation(out, {})
    return context


def amp_set():
    return IndicatorSet.objects.get(authority__siren=AMP_SIREN, year=2023)


def test_annex_v_is_loaded_with_the_seeds_labels_and_structure(demo):
    load_reference_sets(io.StringIO())
    indicator_set = amp_set()
    assert indicator_set.structure_type.name == "Pôle de compétitivité"
    assert "gendériser les données communiquées" in indicator_set.introduction
    indicators = list(indicator_set.indicators.select_related("parent"))
    assert [
        (i.label, i.parent.label if i.parent else None, i.is_gendered, i.group) for i in indicators
    ] == ANNEX_V
    assert all(i.unit == Indicator.Unit.NUMBER for i in indicators)
    rules = {i.code: i.children_rule for i in indicators}
    assert rules["adherents_total"] == rules["adherents_entreprises"] == "somme"
    assert rules["projets_rd_labellises"] == "somme"
    assert rules["nouveaux_adherents"] == "partie"  # "dont métropolitains" is a part


def test_the_loader_runs_again_without_duplicating_and_restores_labels(demo):
    load_reference_sets(io.StringIO())
    Indicator.objects.filter(code="adherents_total").update(label="modifié")
    call_command("load_indicator_sets", stdout=io.StringIO())
    assert IndicatorSet.objects.count() == 2
    assert amp_set().indicators.count() == 17
    assert amp_set().indicators.get(code="adherents_total").label.startswith("Nombre d'adhérents")


def test_an_absent_authority_is_skipped_with_a_message():
    AuthorityFactory(siren=AMP_SIREN, name="Métropole Aix-Marseille-Provence")
    out = io.StringIO()
    loaded = load_reference_sets(out)
    assert list(loaded) == [(AMP_SIREN, 2023)]
    assert f"SIREN {SEM_SIREN} absente" in out.getvalue()


def test_demo_reports_partial_scs_draft_and_minalogic_key_figures(demo):
    load_indicators(io.StringIO(), demo)
    load_indicators(io.StringIO(), demo)  # idempotent
    scs = IndicatorReport.objects.get(association=demo["scs"])
    assert not scs.is_submitted
    assert "fictives" in scs.comment
    values = {v.indicator.code: v.total for v in scs.values.select_related("indicator")}
    assert values["adherents_total"] == D(120)
    assert "effectifs_entreprises" not in values  # partially filled
    problems, _ = submission_problems(scs)
    assert len(problems) == 2

    minalogic = IndicatorReport.objects.get(association=demo["minalogic"])
    assert minalogic.is_submitted
    assert minalogic.indicator_set.authority.siren == SEM_SIREN
    figures = {v.indicator.code: v.total for v in minalogic.values.select_related("indicator")}
    assert figures == {
        "adherents_total": 37,
        "adherents_industriels": 26,
        "adherents_academiques": 8,
        "adherents_developpement_economique": 3,
        "entreprises_easytech": 13,
        "entreprises_appels_projets": 5,
        "acteurs_conseil_administration": 2,
        "evenements_territoire": 3,
    }
    assert IndicatorReport.objects.count() == 2
