"""Reference indicator sets, loaded by `manage.py load_indicator_sets` (and by load_demo).

- Aix-Marseille-Provence, pôles de compétitivité, 2023: annex V of the SCS convention, with the
  seed's wording. Annex V asks that data be gendered ("gendériser les données communiquées"):
  the two head counts (cumulated headcount of member companies, jobs from labelled projects)
  are split between women and men.
- Saint-Étienne Métropole, pôles de compétitivité, 2023: the "chiffres clés 2023 du pôle sur le
  territoire de Saint-Étienne Métropole" that deliberation 2024.00344 records for Minalogic.

Idempotent: indicators are matched by code and updated in place; an indicator that left the
definition is deleted only if no report holds a value for it. Authorities are found by SIREN
and skipped (with a message) when absent.
"""

from django.db import transaction

from associations.indicators.models import Indicator, IndicatorSet, IndicatorValue
from associations.models import StructureType
from grants.models import Authority

AMP_SIREN = "200054807"
SEM_SIREN = "244200770"
CLUSTER = "Pôle de compétitivité"

N, SUM, PART = Indicator.Unit.NUMBER, Indicator.ChildrenRule.SUM, Indicator.ChildrenRule.PART

AMP_INTRODUCTION = """Afin de mieux appréhender la contribution des différents acteurs d'appui à l'innovation et au vu des spécificités d'accompagnement proposées, différents indicateurs d'observation et de suivi ont été établis pour chaque type d'acteur.

Ces indicateurs ont vocation à être annexés à la convention d'objectif encadrant l'attribution de la subvention de la Métropole. Ils devront être renseignés annuellement par chaque structure et joints à la demande de solde, en complément du rapport d'activité.

Dans le cadre de sa politique en faveur de l'égalité Femmes/Hommes, la Métropole demande aux bénéficiaires de subventions de s'attacher à gendériser les données communiquées."""  # noqa: E501

HEADCOUNT = "Répartition des entreprises adhérentes par effectif"
BY_HEADCOUNT = {"parent": "adherents_entreprises", "group": HEADCOUNT}

# (code, label, options). Options: parent (code), rule (children), group, gendered, help.
AMP_2023 = [
    ("adherents_total", "Nombre d'adhérents total en 2023 sur la Métropole", {"rule": SUM}),
    ("adherents_entreprises", "dont entreprises", {"parent": "adherents_total", "rule": SUM}),
    (
        "adherents_enseignement_recherche",
        "dont établissements d'enseignement supérieur et laboratoire",
        {"parent": "adherents_total"},
    ),
    ("adherents_autres", "dont autres", {"parent": "adherents_total"}),
    (
        "entreprises_moins_10",
        "moins de 10 salariés",
        {
            "parent": "adherents_entreprises",
            "group": HEADCOUNT,
            "help": "Les classes de l'annexe V ne prévoient pas l'effectif de 10 salariés "
            "exactement : signalez en commentaire où vous comptez ces entreprises.",
        },
    ),
    ("entreprises_11_50", "de 11 à 50 salariés", BY_HEADCOUNT),
    ("entreprises_51_100", "51 à 100 salariés", BY_HEADCOUNT),
    ("entreprises_101_500", "101 à 500 salariés", BY_HEADCOUNT),
    ("entreprises_plus_500", "Plus de 500 salariés", BY_HEADCOUNT),
    ("nouveaux_adherents", "Nombre de nouveaux adhérents sur l'année", {"rule": PART}),
    ("nouveaux_adherents_metropole", "dont métropolitains", {"parent": "nouveaux_adherents"}),
    (
        "effectifs_entreprises",
        "Effectifs cumulés des entreprises adhérentes sur la Métropole",
        {"gendered": True, "help": "Salariés des entreprises adhérentes, femmes et hommes."},
    ),
    (
        "projets_rd_labellises",
        "Nombre de projets de R&D incluant au moins un acteur sur le territoire métropolitain, "
        "labellisés sur l'année",
        {"rule": SUM},
    ),
    ("projets_rd_pspc", "dont PSPC", {"parent": "projets_rd_labellises"}),
    ("projets_rd_h2020", "dont H2020", {"parent": "projets_rd_labellises"}),
    (
        "projets_rd_autres",
        "dont autres (préciser)",
        {"parent": "projets_rd_labellises", "help": "Précisez les dispositifs en commentaire."},
    ),
    (
        "impact_emploi",
        "Evaluation de l'impact emploi des projets labellisés sur le territoire",
        {
            "gendered": True,
            "help": "En nombre d'emplois ; décrivez la méthode d'évaluation en commentaire.",
        },
    ),
]  # fmt: skip

SEM_2023 = [
    (
        "adherents_total",
        "Adhérents sur le territoire de Saint-Étienne Métropole",
        {"rule": SUM},
    ),
    ("adherents_industriels", "dont adhérents industriels", {"parent": "adherents_total"}),
    ("adherents_academiques", "dont adhérents académiques", {"parent": "adherents_total"}),
    (
        "adherents_developpement_economique",
        "dont organismes de développement économique",
        {"parent": "adherents_total"},
    ),
    (
        "entreprises_easytech",
        "Entreprises du territoire soutenues dans le cadre du dispositif Easytech",
        {},
    ),
    (
        "entreprises_appels_projets",
        "Entreprises du territoire soutenues dans le cadre de différents appels à projets "
        "(État, Région)",
        {},
    ),
    (
        "acteurs_conseil_administration",
        "Acteurs du territoire au sein du Conseil d'administration",
        {},
    ),
    ("evenements_territoire", "Événements sur le territoire", {}),
]

REFERENCE_SETS = [
    {
        "siren": AMP_SIREN,
        "year": 2023,
        "title": "Indicateurs d'observation de l'impact des structures d'appui à l'écosystème "
        "d'innovation pour l'année 2023 et la phase V (annexe V)",
        "introduction": AMP_INTRODUCTION,
        "indicators": AMP_2023,
    },
    {
        "siren": SEM_SIREN,
        "year": 2023,
        "title": "Chiffres clés du pôle sur le territoire de Saint-Étienne Métropole",
        "introduction": "Les chiffres clés de l'année sur le territoire de Saint-Étienne "
        "Métropole, tels que les reprend la délibération d'attribution de la subvention.",
        "indicators": SEM_2023,
    },
]


def load_set(authority, structure_type, definition):
    indicator_set, _ = IndicatorSet.objects.update_or_create(
        authority=authority,
        structure_type=structure_type,
        year=definition["year"],
        defaults={"title": definition["title"], "introduction": definition["introduction"]},
    )
    by_code = {}
    for position, (code, label, options) in enumerate(definition["indicators"], start=1):
        by_code[code], _ = Indicator.objects.update_or_create(
            indicator_set=indicator_set,
            code=code,
            defaults={
                "position": position * 10,
                "label": label,
                "group": options.get("group", ""),
                "help_text": options.get("help", ""),
                "unit": options.get("unit", N),
                "is_gendered": options.get("gendered", False),
                "children_rule": options.get("rule", SUM),
                "is_required": options.get("required", True),
                "parent": None,
            },
        )
    for code, _label, options in definition["indicators"]:
        if "parent" in options:
            indicator = by_code[code]
            indicator.parent = by_code[options["parent"]]
            indicator.save(update_fields=["parent"])
    stale = indicator_set.indicators.exclude(code__in=by_code)
    stale.exclude(pk__in=IndicatorValue.objects.values("indicator")).delete()
    return indicator_set


@transaction.atomic
def load_reference_sets(out):
    """Create or update the reference sets; returns {(siren, year): IndicatorSet}."""
    cluster, _ = StructureType.objects.get_or_create(name=CLUSTER)
    authorities = Authority.objects.in_bulk(
        [d["siren"] for d in REFERENCE_SETS], field_name="siren"
    )
    loaded = {}
    for definition in REFERENCE_SETS:
        authority = authorities.get(definition["siren"])
        if authority is None:
            out.write(
                f"  Indicateurs : collectivité SIREN {definition['siren']} absente, jeu "
                f"{definition['year']} non chargé."
            )
            continue
        indicator_set = load_set(authority, cluster, definition)
        loaded[(definition["siren"], definition["year"])] = indicator_set
        out.write(
            f"  Indicateurs : {authority.name}, « {CLUSTER} » {indicator_set.year} "
            f"({len(definition['indicators'])} indicateurs)."
        )
    return loaded
