"""The consistency checks a clerk relies on, each with a French message.

Every check is shown on the detail pages, passed or failed, so the clerk sees what was verified.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from deliberations import actes, rules
from grants import rules as money_rules
from grants.templatetags.fr import euros, plural


@dataclass(frozen=True)
class Check:
    label: str
    level: str  # "ok", "info", "warning" or "error"
    message: str

    @property
    def ok(self):
        return self.level in {"ok", "info"}

    @property
    def badge(self):
        return {
            "ok": ("badge-ok", "Conforme"),
            "info": ("badge-muted", "Information"),
            "warning": ("badge-warn", "À vérifier"),
            "error": ("badge-err", "Erreur"),
        }[self.level]


def _names(members, limit=5):
    names = [str(m) for m in members[:limit]]
    more = len(members) - limit
    return ", ".join(names) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")


def session_checks(session, summary=None):
    summary = summary or session.attendance
    checks = [_attendance_check(summary)]
    if summary.outside:
        members = [record.member for record in summary.outside]
        checks.append(
            Check(
                "Membres hors mandat",
                "error",
                f"Présence saisie pour {_names(members)}, qui n'exerce pas de mandat le "
                f"{session.date:%d/%m/%Y} : corrigez le mandat ou ressaisissez les présences.",
            )
        )
    checks += [
        _votes_arithmetic_check(summary),
        _in_office_arithmetic_check(summary),
        _quorum_check(session, summary),
        _proxies_check(summary),
        _officer_check("Président de séance", session.presiding, summary),
        _officer_check("Secrétaire de séance", session.secretary, summary),
        _convocation_check(session),
    ]
    return checks


def _attendance_check(summary):
    label = "Présences"
    if not summary.in_office:
        return Check(label, "error", "Aucun membre n'est en exercice à la date de la séance.")
    if not summary.recorded:
        return Check(label, "error", "Les présences de la séance ne sont pas encore saisies.")
    if summary.missing:
        return Check(
            label,
            "error",
            f"{plural(len(summary.missing), 'membre')} en exercice sans présence saisie : "
            f"{_names(summary.missing)}.",
        )
    return Check(
        label, "ok", f"Présence saisie pour les {summary.in_office_count} membres en exercice."
    )


def _votes_arithmetic_check(summary):
    return Check(
        "Nombre de voix",
        "ok",
        f"{plural(summary.present_count, 'présent')} + {plural(summary.proxies_count, 'pouvoir')}"
        f" = {summary.votes_count} voix (chaque présent vote pour lui-même et pour le pouvoir "
        "qu'il détient).",
    )


def _in_office_arithmetic_check(summary):
    total = summary.present_count + summary.proxies_count + summary.not_present_count
    text = (
        f"{summary.present_count} présents + {summary.proxies_count} représentés + "
        f"{summary.not_present_count} absents = {total}"
    )
    if total != summary.in_office_count:
        return Check(
            "Membres en exercice",
            "error",
            f"{text}, alors que la séance compte {summary.in_office_count} membres en exercice.",
        )
    return Check("Membres en exercice", "ok", f"{text} membres en exercice.")


def _quorum_check(session, summary):
    label = "Quorum"
    base = (
        f"{plural(summary.present_count, 'présent')} sur {summary.in_office_count} membres en "
        f"exercice ; le quorum est de {summary.quorum_threshold} (plus de la moitié)"
    )
    if summary.quorum_reached:
        return Check(label, "ok", f"Quorum atteint : {base}.")
    if session.second_convocation:
        return Check(
            label,
            "warning",
            f"Quorum non atteint ({base}), mais la séance s'est tenue sur seconde convocation : "
            "elle délibère valablement quel que soit le nombre de présents (CGCT L.2121-17).",
        )
    return Check(
        label,
        "error",
        f"Quorum non atteint : {base}. Aucune délibération ne peut être adoptée, sauf lors d'une "
        "séance tenue sur seconde convocation (CGCT L.2121-17).",
    )


def _proxies_check(summary):
    if summary.proxy_problems:
        return Check("Pouvoirs", "error", " ".join(summary.proxy_problems))
    if not summary.proxies:
        return Check("Pouvoirs", "ok", "Aucun pouvoir n'a été donné.")
    return Check(
        "Pouvoirs",
        "ok",
        f"{plural(summary.proxies_count, 'pouvoir')}, chacun confié à un membre présent qui "
        "n'en détient qu'un seul (CGCT L.2121-20).",
    )


def _officer_check(label, member, summary):
    if member is None:
        return Check(label, "error", f"Le {label.lower()} n'est pas désigné.")
    if member not in summary.present:
        return Check(label, "error", f"{member} est désigné {label.lower()} sans être présent.")
    return Check(label, "ok", f"{member}, présent{'e' if member.is_woman else ''}.")


def _convocation_check(session):
    problems = rules.convocation_problems(
        session.convocation_date, session.date, session.second_convocation
    )
    if problems:
        level = "error" if session.convocation_date > session.date else "warning"
        return Check("Convocation", level, " ".join(problems))
    days = rules.clear_days_between(session.convocation_date, session.date)
    return Check(
        "Convocation",
        "ok",
        f"Convocation du {session.convocation_date:%d/%m/%Y}, {plural(days, 'jour')} franc"
        f"{'s' if days > 1 else ''} avant la séance.",
    )


# Deliberations.

_AMOUNT = re.compile(
    r"(?<![\d,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(?:€|euros?\b)",
    re.IGNORECASE,
)


def amounts_cited(text):
    """The euro amounts a text cites: « 62 500 € », « 62 500,00 € », « 62.500 euros »."""
    amounts = []
    for integer, cents in _AMOUNT.findall(text or ""):
        digits = re.sub(r"\D", "", integer)
        amounts.append(Decimal(f"{digits}.{(cents or '0').ljust(2, '0')}"))
    return amounts


def deliberation_checks(deliberation, summary=None, today=None):
    """Checks of the deliberation itself; the session's checks are listed separately."""
    today = today or datetime.date.today()
    session = deliberation.session
    decisions = list(deliberation.decisions.all())
    grants = list(deliberation.grants.all())
    checks = []
    if session is None:
        checks.append(
            Check(
                "Séance", "info", "Aucune séance n'est indiquée : la délibération est un brouillon."
            )
        )
    else:
        summary = summary or session.attendance
        checks += _vote_checks(deliberation, summary)
    checks.append(
        Check("Articles de la décision", "ok", f"{plural(len(decisions), 'article')}.")
        if decisions
        else Check("Articles de la décision", "error", "La décision ne compte aucun article.")
    )
    checks += _grant_checks(deliberation, decisions, grants)
    checks += _prefecture_checks(deliberation, today)
    return checks


def _vote_checks(deliberation, summary):
    vote = deliberation.vote
    if vote is None:
        return [Check("Vote", "info", "Le vote n'est pas encore saisi.")]
    checks = []
    available = summary.votes_count
    detail = (
        f"{vote.for_} pour, {vote.against} contre, {plural(vote.abstentions, 'abstention')}, "
        f"{vote.not_participating} ne prenant pas part au vote"
    )
    if vote.total > available:
        checks.append(
            Check(
                "Votes et voix disponibles",
                "error",
                f"{detail} : {vote.total} voix comptées pour {available} voix disponibles "
                f"({summary.present_count} présents + {summary.proxies_count} pouvoirs).",
            )
        )
    elif vote.total < available:
        checks.append(
            Check(
                "Votes et voix disponibles",
                "warning",
                f"{detail} : {vote.total} voix comptées pour {available} disponibles ; "
                f"{available - vote.total} voix manquent (membres sortis avant le vote ?).",
            )
        )
    else:
        checks.append(
            Check(
                "Votes et voix disponibles",
                "ok",
                f"{detail} : {vote.total} voix comptées pour {available} disponibles.",
            )
        )
    checks.append(Check("Résultat", "ok" if vote.adopted else "info", vote.result_sentence()))
    if vote.adopted and not summary.can_adopt:
        checks.append(
            Check(
                "Adoption",
                "error",
                "La délibération figure comme adoptée lors d'une séance qui ne pouvait pas "
                "délibérer (présences incomplètes, ou quorum non atteint hors seconde "
                "convocation).",
            )
        )
    return checks


def _grant_checks(deliberation, decisions, grants):
    label = "Subventions"
    decisions_text = "\n".join(d.text for d in decisions)
    cited = amounts_cited(decisions_text)
    if not grants:
        if cited:
            return [
                Check(
                    label,
                    "warning",
                    f"Les articles citent {euros(cited[0])} mais aucune subvention n'est "
                    "enregistrée pour cette délibération.",
                )
            ]
        return [Check(label, "info", "Aucune subvention n'est rattachée à cette délibération.")]
    checks = []
    total = sum((g.amount for g in grants), Decimal("0"))
    summary = f"{plural(len(grants), 'subvention')} pour un total de {euros(total)}"
    others = [g for g in grants if g.authority_id != deliberation.authority_id]
    if others:
        checks.append(
            Check(label, "error", f"{summary} ; {len(others)} relève(nt) d'une autre collectivité.")
        )
    elif not cited:
        checks.append(Check(label, "warning", f"{summary} ; aucun article n'en cite le montant."))
    elif total in cited or all(cited.count(g.amount) >= 1 for g in grants):
        checks.append(Check(label, "ok", f"{summary}, montant cité par les articles."))
    else:
        cited_text = ", ".join(euros(a) for a in cited)
        checks.append(
            Check(
                label,
                "error",
                f"{summary}, mais les articles citent {cited_text} : les montants ne "
                "correspondent pas.",
            )
        )
    checks.append(_imputation_check(grants, decisions_text))
    needing = [g for g in grants if money_rules.convention_required(g.amount)]
    if needing:
        cites_convention = "convention" in decisions_text.lower()
        checks.append(
            Check(
                "Convention",
                "ok" if cites_convention else "warning",
                f"{plural(len(needing), 'subvention')} de plus de 23 000 € : une convention est "
                "obligatoire (loi 2000-321, art. 10)"
                + (
                    " ; un article l'approuve."
                    if cites_convention
                    else " ; aucun article n'approuve de convention."
                ),
            )
        )
    return checks


def _imputation_check(grants, decisions_text):
    label = "Imputation budgétaire"
    missing = [g for g in grants if not g.budget_imputation]
    if missing:
        return Check(
            label, "warning", f"{plural(len(missing), 'subvention')} sans imputation budgétaire."
        )
    uncited = sorted({g.budget_imputation for g in grants} - _cited_codes(decisions_text))
    if uncited:
        return Check(
            label,
            "warning",
            f"Imputation {', '.join(uncited)} non citée par les articles de la décision.",
        )
    codes = ", ".join(sorted({g.budget_imputation for g in grants}))
    return Check(label, "ok", f"{codes}, citée par les articles.")


def _cited_codes(text):
    return {token.strip(".,;:()") for token in (text or "").split()}


def _prefecture_checks(deliberation, today):
    checks = []
    session = deliberation.session
    decision_date = session.date if session else None
    checks.append(_actes_check(deliberation, decision_date))
    for label, day in (
        ("Réception en préfecture", deliberation.prefecture_received_on),
        ("Mise en ligne", deliberation.published_on),
    ):
        if day is None:
            continue
        if decision_date and day < decision_date:
            checks.append(
                Check(
                    label,
                    "error",
                    f"Le {day:%d/%m/%Y} précède la séance du {decision_date:%d/%m/%Y}.",
                )
            )
        elif day > today:
            checks.append(Check(label, "error", f"Le {day:%d/%m/%Y} est une date future."))
    if deliberation.actes_identifier and not deliberation.prefecture_received_on:
        checks.append(
            Check(
                "Réception en préfecture",
                "warning",
                "Un identifiant @ctes est saisi sans date de réception en préfecture.",
            )
        )
    checks.append(_executory_check(deliberation))
    return checks


def _actes_check(deliberation, decision_date):
    label = "Identifiant @ctes"
    if not deliberation.actes_identifier:
        return Check(label, "info", "Pas encore d'identifiant @ctes (accusé de réception).")
    try:
        identifier = actes.parse(deliberation.actes_identifier)
    except ValidationError as error:
        return Check(label, "error", " ".join(error.messages))
    problems = actes.mismatches(
        identifier, authority=deliberation.authority, decision_date=decision_date
    )
    if problems:
        return Check(label, "error", " ".join(problems))
    message = (
        f"Département {identifier.department}, SIREN {identifier.siren}, date "
        f"{identifier.date:%d/%m/%Y} et nature {identifier.nature} conformes à la collectivité "
        "et à la séance"
    )
    if not actes.internal_number_cites(identifier, deliberation.number):
        return Check(
            label,
            "warning",
            f"{message}, mais le numéro interne {identifier.internal_number} ne reprend pas le "
            f"numéro {deliberation.number}.",
        )
    return Check(label, "ok", message + ".")


def _executory_check(deliberation):
    label = "Caractère exécutoire"
    if not deliberation.is_adopted:
        return Check(label, "info", "La délibération n'est pas adoptée.")
    if deliberation.is_executory:
        return Check(
            label,
            "ok",
            f"Exécutoire depuis le {deliberation.executory_date:%d/%m/%Y} : transmise en "
            "préfecture et publiée (CGCT L.2131-1).",
        )
    missing = []
    if deliberation.prefecture_received_on is None:
        missing.append("la transmission en préfecture")
    if deliberation.published_on is None:
        missing.append("la publication en ligne")
    return Check(
        label,
        "info",
        f"Pas encore exécutoire : il manque {' et '.join(missing)} (CGCT L.2131-1).",
    )


def has_errors(checks):
    return any(c.level == "error" for c in checks)
