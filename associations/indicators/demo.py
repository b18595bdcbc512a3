"""Demo indicators: the reference sets, a partial SCS 2023 report and Minalogic's 2023 figures.

- The SCS 2023 report is a draft with FICTITIOUS values (stated in its comment): the seed gives
  the indicators to report, not their values. Two indicators are left blank, so the report shows
  what still blocks its submission.
- Minalogic's 2023 report holds the real "chiffres clés 2023" of deliberation 2024.00344
  (37 members of which 26 industrial, 8 academic, 3 economic-development bodies; 13 companies
  through Easytech; 5 through calls for projects; 2 territory actors on the board; 3 events),
  submitted by the demo manager.
- The annex IV figures of the SCS convention ("phase 4 : 2019-2022") stay in the convention:
  they cover a four-year period, not one year of a set.

Idempotent: the same rows are updated; a report someone submitted meanwhile is left alone.
"""

from decimal import Decimal

from django.utils import timezone

from associations.indicators.checks import Entry, check_entries
from associations.indicators.models import IndicatorReport, IndicatorValue
from associations.indicators.reference import AMP_SIREN, SEM_SIREN, load_reference_sets
from grants.models import User

SCS_DEMO_COMMENT = (
    "Valeurs fictives de démonstration (les seeds ne donnent pas les valeurs 2023) : rapport en "
    "cours de saisie, les effectifs et l'impact emploi restent à renseigner."
)
SCS_2023 = {
    "adherents_total": 120,
    "adherents_entreprises": 95,
    "adherents_enseignement_recherche": 15,
    "adherents_autres": 10,
    "entreprises_moins_10": 40,
    "entreprises_11_50": 30,
    "entreprises_51_100": 10,
    "entreprises_101_500": 10,
    "entreprises_plus_500": 5,
    "nouveaux_adherents": 12,
    "nouveaux_adherents_metropole": 9,
    "projets_rd_labellises": 14,
    "projets_rd_pspc": 2,
    "projets_rd_h2020": 3,
    "projets_rd_autres": (9, "Démonstration : France 2030, Région Sud"),
}

MINALOGIC_COMMENT = (
    "Chiffres clés 2023 du pôle sur le territoire de Saint-Étienne Métropole, repris de la "
    "délibération n° 2024.00344 du Bureau métropolitain du 13 juin 2024."
)
MINALOGIC_2023 = {
    "adherents_total": 37,
    "adherents_industriels": 26,
    "adherents_academiques": 8,
    "adherents_developpement_economique": 3,
    "entreprises_easytech": 13,
    "entreprises_appels_projets": (5, "État, Région"),
    "acteurs_conseil_administration": (
        2,
        "Un Vice-Président de Manutech USD et le Vice-Président délégué à la stratégie "
        "numérique de l'université Jean Monnet",
    ),
    "evenements_territoire": 3,
}


def _entries(indicator_set, values):
    by_code = {indicator.code: indicator for indicator in indicator_set.indicators.all()}
    entries = {}
    for code, value in values.items():
        number, comment = value if isinstance(value, tuple) else (value, "")
        entries[by_code[code].pk] = Entry(total=Decimal(number), comment=comment)
    return entries


def _load_report(association, indicator_set, values, *, comment, user, submit):
    report, _ = IndicatorReport.objects.get_or_create(
        association=association,
        indicator_set=indicator_set,
        defaults={"created_by": user, "updated_by": user},
    )
    if report.is_submitted and not submit:
        return report  # submitted during a demo session: keep it
    indicators = list(indicator_set.indicators.all())
    entries, problems = check_entries(indicators, _entries(indicator_set, values), complete=submit)
    assert not problems, problems  # the demo values are consistent by construction
    IndicatorValue.objects.filter(report=report).exclude(indicator__code__in=list(values)).delete()
    for indicator in indicators:
        entry = entries[indicator.pk]
        if entry.is_filled:
            IndicatorValue.objects.update_or_create(
                report=report,
                indicator=indicator,
                defaults={
                    "total": entry.total,
                    "women": entry.women,
                    "men": entry.men,
                    "text": entry.text,
                    "comment": entry.comment,
                },
            )
    report.comment = comment
    report.updated_by = user
    if submit and not report.is_submitted:
        report.status = IndicatorReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = user
    report.save()
    return report


def load_indicators(out, context):
    sets = load_reference_sets(out)
    result = {}
    managers = User.objects.in_bulk(["asso-scs", "asso-minalogic"], field_name="username")
    amp_set, sem_set = sets.get((AMP_SIREN, 2023)), sets.get((SEM_SIREN, 2023))
    if amp_set is not None and "scs" in context:
        result["indicators_scs_2023"] = _load_report(
            context["scs"],
            amp_set,
            SCS_2023,
            comment=SCS_DEMO_COMMENT,
            user=managers.get("asso-scs"),
            submit=False,
        )
        out.write("  Indicateurs : rapport SCS 2023 en brouillon (valeurs fictives).")
    if sem_set is not None and "minalogic" in context:
        result["indicators_minalogic_2023"] = _load_report(
            context["minalogic"],
            sem_set,
            MINALOGIC_2023,
            comment=MINALOGIC_COMMENT,
            user=managers.get("asso-minalogic"),
            submit=True,
        )
        out.write(
            "  Indicateurs : rapport Minalogic 2023 soumis (chiffres clés de la délibération)."
        )
    return result
