"""The consistency panel: every inconsistency in a convention's data, in French.

Entered exactly as printed, the SCS 2023 convention shows the errors of its paper version (see
DOMAIN.md §6): annex I totals that are not the sums of their lines, a share of the budget
labelled "excluding voluntary contributions" that in fact includes them, an eligible cost that
is not an amount, and names and places that differ between pages.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from conventions.document import convention_figures, placeholder_values, used_placeholders
from grants import rules
from grants.templatetags.fr import euros, percent_fr

ERROR, WARNING = "erreur", "attention"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: str = ERROR


def parse_typed_amount(text):
    """Read an amount as people type it: '66.000 €', '66 000,00 €', '1.163.53€' (→ None)."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|euros?", "", (text or "").strip(), flags=re.I)
    if not cleaned:
        return None
    if "," in cleaned:
        integer, _, decimals = cleaned.rpartition(",")
        if not re.fullmatch(r"\d{1,2}", decimals):
            return None
    else:
        integer, decimals = cleaned, "0"
    groups = integer.split(".")
    if not all(g.isdigit() for g in groups):
        return None
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    try:
        return Decimal("".join(groups) + "." + decimals)
    except InvalidOperation:
        return None


def normalized(text):
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().casefold()


# Placeholders whose empty value makes a sentence of the printed convention incomplete.
REQUIRED_VALUES = {
    "deliberation_date": "la date de la délibération qui approuve la convention",
    "deliberation_number": "le numéro de la délibération",
    "budget_rules_reference": "la référence du règlement budgétaire et financier de la "
    "collectivité",
    "court": "le tribunal administratif compétent",
    "eligible_cost": "le coût total prévisionnel (budget prévisionnel en annexe I)",
    "share_excluding_contributions": "la part de la subvention dans le budget (annexe I)",
    "objectives": "les objectifs de l'association (article 1)",
}


def convention_problems(convention):
    figures = convention_figures(convention)
    problems = []
    problems += _grant_problems(convention, figures)
    problems += _budget_problems(convention, figures)
    problems += _typed_problems(convention, figures)
    problems += _names_and_places(convention)
    problems += _text_problems(convention, figures)
    problems += _annex_problems(convention)
    return problems


def _grant_problems(convention, figures):
    problems = []
    grants = list(convention.grants.all())
    if not grants:
        problems.append(Problem("no_grant", "Aucune subvention n'est rattachée à la convention."))
    for grant in grants:
        if grant.association_id != convention.association_id:
            problems.append(
                Problem(
                    "grant_other_association",
                    f"La subvention « {grant} » est d'une autre association.",
                )
            )
        if grant.year not in convention.years:
            problems.append(
                Problem(
                    "grant_other_year",
                    f"La subvention de {euros(grant.amount)} est de l'exercice {grant.year}, la "
                    f"convention de l'exercice {convention.year}.",
                    WARNING,
                )
            )
        if (
            convention.deliberation_id
            and grant.deliberation_id
            and grant.deliberation_id != convention.deliberation_id
        ):
            problems.append(
                Problem(
                    "grant_other_deliberation",
                    f"La subvention de {euros(grant.amount)} a été votée par une autre "
                    "délibération que celle de la convention.",
                    WARNING,
                )
            )
    if convention.amount_total != figures.amount:
        problems.append(
            Problem(
                "stale_amount",
                f"Le montant enregistré ({euros(convention.amount_total)}) diffère de la somme "
                f"des subventions et avenants ({euros(figures.amount)}).",
            )
        )
    default = convention.authority.default_advance_percentage
    if convention.advance_percentage > default:
        problems.append(
            Problem(
                "advance_above_rules",
                f"L'acompte maximal ({percent_fr(convention.advance_percentage, 0)}) dépasse celui "
                f"du règlement budgétaire et financier ({percent_fr(default, 0)}).",
                WARNING,
            )
        )
    if (
        convention.deliberation_id
        and convention.deliberation.authority_id != convention.authority_id
    ):
        problems.append(
            Problem("deliberation_other_authority", "La délibération est d'une autre collectivité.")
        )
    return problems


def _budget_problems(convention, figures):
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    if budget is None:
        return [
            Problem(
                "no_budget",
                "Aucun budget prévisionnel n'est rattaché : l'annexe I, la part de la subvention "
                "dans le budget et les obligations comptables ne peuvent pas être établies.",
            )
        ]
    problems = []
    if budget.association_id != convention.association_id:
        problems.append(
            Problem(
                "budget_other_association", "Le budget prévisionnel est d'une autre association."
            )
        )
    if budget.year != convention.year:
        problems.append(
            Problem(
                "budget_other_year",
                f"Le budget prévisionnel est celui de {budget.year}, la convention porte sur "
                f"{convention.year}.",
            )
        )
    problems += [Problem(f"annex1_{p.code}", f"Annexe I : {p.message}") for p in budget.problems()]
    in_budget = budget.amount_from(convention.authority)
    if in_budget and in_budget != figures.amount:
        problems.append(
            Problem(
                "annex1_authority_line",
                f"Annexe I : la ligne de {convention.authority.name} indique {euros(in_budget)}, "
                f"la convention {euros(figures.amount)}.",
            )
        )
    return problems


def _typed_problems(convention, figures):
    problems = []
    if convention.typed_amount:
        typed = parse_typed_amount(convention.typed_amount)
        if typed is None or typed != figures.amount:
            problems.append(
                Problem(
                    "typed_amount",
                    f"Article 4.2 : le montant imprimé « {convention.typed_amount} » ne correspond "
                    f"pas au montant voté, {euros(figures.amount)}.",
                )
            )
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    if convention.typed_eligible_cost and budget is not None:
        typed = parse_typed_amount(convention.typed_eligible_cost)
        computed = figures.budget_including
        printed = budget.printed_grand_total_charges
        if typed is None or typed != computed:
            reading = "n'est pas un montant lisible" if typed is None else f"se lit {euros(typed)}"
            also = (
                f" (total imprimé en annexe I : {euros(printed)})"
                if printed is not None and printed != computed
                else ""
            )
            problems.append(
                Problem(
                    "typed_eligible_cost",
                    f"Article 4.1 : le coût éligible imprimé « {convention.typed_eligible_cost} » "
                    f"{reading} ; le total général des charges de l'annexe I, contributions "
                    f"volontaires comprises, est de {euros(computed)}{also}.",
                )
            )
    if convention.typed_share_percentage is not None and budget is not None:
        problems += _typed_share_problem(convention, figures)
    return problems


def _typed_share_problem(convention, figures):
    typed = convention.typed_share_percentage
    places = max(0, -typed.normalize().as_tuple().exponent)
    excl = rules.share_of_budget(figures.amount, figures.budget_excluding, places)
    incl = rules.share_of_budget(figures.amount, figures.budget_including, places)
    label = normalized(convention.typed_share_label)
    says_excluding = "hors" in label
    says_including = not says_excluding and ("compris" in label or "inclus" in label)
    typed_text = percent_fr(typed, places)
    detail = (
        f"la subvention de {euros(figures.amount)} représente {percent_fr(excl, places)} du "
        f"budget hors contributions volontaires ({euros(figures.budget_excluding)}) et "
        f"{percent_fr(incl, places)} contributions volontaires comprises "
        f"({euros(figures.budget_including)})"
    )
    quoted = f"« {convention.typed_share_label} »" if convention.typed_share_label else ""
    if says_excluding and typed != excl:
        if typed == incl:
            message = (
                f"Article 4.2 : la part imprimée, {typed_text} {quoted}, est en fait la part "
                f"contributions volontaires comprises ; {detail}."
            )
        else:
            message = (
                f"Article 4.2 : la part imprimée, {typed_text} {quoted}, est fausse ; {detail}."
            )
    elif says_including and typed != incl:
        message = f"Article 4.2 : la part imprimée, {typed_text} {quoted}, est fausse ; {detail}."
    elif not (says_excluding or says_including) and typed not in (excl, incl):
        message = f"Article 4.2 : la part imprimée, {typed_text}, est fausse ; {detail}."
    else:
        return []
    return [Problem("typed_share", message)]


def _names_and_places(convention):
    problems = []
    association = convention.association
    signatory = convention.association_signatory_name
    if (
        signatory
        and association.representative_name
        and normalized(signatory) != normalized(association.representative_name)
    ):
        problems.append(
            Problem(
                "signatory_name",
                "Le nom du représentant de l'association diffère entre le bloc des parties "
                f"({association.representative_name}) et le bloc de signature ({signatory}).",
            )
        )
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    place = budget.signed_place if budget is not None else ""
    if place and association.city and normalized(place) != normalized(association.city):
        problems.append(
            Problem(
                "annex1_place",
                f"Le siège de l'association est à {association.city} (bloc des parties), mais "
                f"l'annexe I est « Fait à : {place} ».",
            )
        )
    return problems


def _text_problems(convention, figures):
    values = placeholder_values(convention, figures)
    used = set()
    for section in convention.template.sections.all():
        used |= used_placeholders(section.body)
    used |= used_placeholders(convention.template.signatory_clause)
    problems = []
    for name, what in REQUIRED_VALUES.items():
        if name in used and not values.get(name):
            problems.append(
                Problem(
                    f"missing_{name}",
                    f"Le texte de la convention cite {what}, qui n'est pas renseigné(e) : la "
                    "phrase imprimée restera incomplète.",
                    WARNING,
                )
            )
    if not convention.number:
        problems.append(Problem("no_number", "La convention n'a pas de numéro.", WARNING))
    if convention.start_date and convention.start_date.year > convention.year:
        problems.append(
            Problem(
                "period_after_year",
                f"La convention commence le {convention.start_date:%d/%m/%Y}, après l'exercice "
                f"{convention.year}.",
                WARNING,
            )
        )
    return problems


def _annex_problems(convention):
    problems = []
    for event in convention.programme_events.all():
        if event.start_date and event.end_date and event.end_date < event.start_date:
            problems.append(
                Problem(
                    "event_dates",
                    f"Annexe III : « {event.name} » finit ({event.end}) avant de commencer "
                    f"({event.start}).",
                )
            )
    budget = convention.forecast_budget if convention.forecast_budget_id else None
    valued = [c.valuation for c in convention.contributions.all() if c.valuation is not None]
    if budget is not None and valued:
        total = sum(valued, Decimal("0"))
        in_budget = budget.total_contributions_products
        if total != in_budget:
            problems.append(
                Problem(
                    "annex2_total",
                    f"Annexe II : les contributions non financières valorisées totalisent "
                    f"{euros(total)}, les contributions volontaires en nature de l'annexe I "
                    f"(compte 87) {euros(in_budget)}.",
                    WARNING,
                )
            )
    return problems
