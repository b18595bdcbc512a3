"""The arithmetic of an indicator report, as pure functions: no database, no HTTP.

The forms call `check_entries` to put each message next to its field; the services call it
again before writing, so a value that bypasses the form is refused the same way.

Decisions (tested in tests/associations/test_indicator_checks.py):
- women + men = total. When both women and men are typed and the total is left blank, the
  total is computed; when it is typed, it must match. Typing only one of women / men is
  refused (the other cannot be guessed). The total alone is accepted: the split is asked for
  ("gendériser les données", annex V) and its absence is reported as a warning.
- Sub-indicators of a "somme" parent must add up to the parent once they are all filled; while
  some are blank, those typed must not exceed it. Each sub-indicator of a "partie" parent
  ("dont métropolitains") must not exceed the parent. A blank parent is never computed from its
  sub-indicators: a breakdown may be partial, and the check is only useful if both are typed.
- Numbers of the "nombre" unit are whole; percentages lie between 0 and 100; nothing is negative.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from grants.templatetags.fr import euros, format_amount, percent_fr

NUMBER, EUROS, PERCENT, TEXT = "nombre", "euros", "pourcentage", "texte"
SUM, PART = "somme", "partie"
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Entry:
    """One indicator's value as typed (numbers already parsed)."""

    total: Decimal | None = None
    women: Decimal | None = None
    men: Decimal | None = None
    text: str = ""
    comment: str = ""

    @property
    def is_filled(self):
        return self.total is not None or bool(self.text.strip())

    @property
    def has_split(self):
        return self.women is not None and self.men is not None


@dataclass(frozen=True)
class IndicatorProblem:
    """A message about one indicator's field ("total", "women", "men", "text") or the report."""

    indicator_id: int | None
    field: str | None
    code: str
    message: str
    blocking: bool = True


def format_value(value, unit):
    """A value as French text in its unit: 1 234, 1 234,50 €, 12,5 %."""
    if value is None:
        return ""
    if unit == EUROS:
        return euros(value)
    places = 0 if value == value.to_integral_value() else 2
    if unit == PERCENT:
        return percent_fr(value, places)
    return format_amount(value, places)


def _quoted(indicator):
    return f"« {indicator.label} »"


def _field_problems(indicator, entry):
    """Signs, whole numbers and percentages, field by field."""
    problems = []
    for field in ("total", "women", "men"):
        value = getattr(entry, field)
        if value is None:
            continue
        if value < 0:
            message = "Une valeur ne peut pas être négative."
        elif indicator.unit == NUMBER and value != value.to_integral_value():
            message = "Saisissez un nombre entier."
        elif indicator.unit == PERCENT and value > HUNDRED:
            message = "Un pourcentage est compris entre 0 et 100."
        else:
            continue
        problems.append(IndicatorProblem(indicator.pk, field, "invalid_value", message))
    return problems


def resolve_split(total, women, men):
    """(total, field, message): the total, computed if blank; an error on a bad split."""
    if women is None and men is None:
        return total, None, None
    if women is None or men is None:
        missing = "women" if women is None else "men"
        return (
            total,
            missing,
            "Indiquez à la fois le nombre de femmes et le nombre d'hommes, ou seulement le total.",
        )
    computed = women + men
    if total is None:
        return computed, None, None
    if total != computed:
        return (
            total,
            "total",
            f"Le total ({format_amount(total, _places(total))}) ne correspond pas à femmes + "
            f"hommes : {format_amount(women, _places(women))} + "
            f"{format_amount(men, _places(men))} = {format_amount(computed, _places(computed))}.",
        )
    return total, None, None


def _places(value):
    return 0 if value == value.to_integral_value() else 2


def _check_entry(indicator, entry):
    """The entry normalised (total computed, unused fields dropped) and its problems."""
    if indicator.unit == TEXT:
        return Entry(text=entry.text.strip(), comment=entry.comment.strip()), []
    entry = replace(entry, text="", comment=entry.comment.strip())
    if not indicator.is_gendered:
        entry = replace(entry, women=None, men=None)
    problems = _field_problems(indicator, entry)
    if problems or not indicator.is_gendered:
        return entry, problems
    total, field, message = resolve_split(entry.total, entry.women, entry.men)
    if message:
        return entry, [IndicatorProblem(indicator.pk, field, "split", message)]
    return replace(entry, total=total), []


def _check_children(indicators, entries, invalid):
    by_parent = {}
    for indicator in indicators:
        if indicator.parent_id is not None:
            by_parent.setdefault(indicator.parent_id, []).append(indicator)
    problems = []
    for parent in indicators:
        children = by_parent.get(parent.pk)
        parent_total = entries[parent.pk].total
        if not children or parent_total is None:
            continue
        if parent.pk in invalid or any(child.pk in invalid for child in children):
            continue  # the typing errors come first
        if parent.children_rule == PART:
            problems += _check_parts(parent, parent_total, children, entries)
        else:
            problems += _check_sum(parent, parent_total, children, entries)
    return problems


def _check_parts(parent, parent_total, children, entries):
    problems = []
    for child in children:
        value = entries[child.pk].total
        if value is not None and value > parent_total:
            problems.append(
                IndicatorProblem(
                    child.pk,
                    "total",
                    "part_exceeds",
                    f"{_quoted(child)} ({format_value(value, child.unit)}) ne peut pas dépasser "
                    f"{_quoted(parent)} ({format_value(parent_total, parent.unit)}).",
                )
            )
    return problems


def _check_sum(parent, parent_total, children, entries):
    values = [entries[child.pk].total for child in children]
    typed = [v for v in values if v is not None]
    if not typed:
        return []
    total = sum(typed, Decimal("0"))
    detail = " + ".join(format_value(v, parent.unit) for v in typed)
    shown_total = format_value(total, parent.unit)
    expected = format_value(parent_total, parent.unit)
    if len(typed) == len(values) and total != parent_total:
        message = (
            f"La somme des sous-indicateurs de {_quoted(parent)} ({detail} = {shown_total}) "
            f"n'est pas égale à sa valeur ({expected})."
        )
    elif len(typed) < len(values) and total > parent_total:
        message = (
            f"Les sous-indicateurs déjà saisis de {_quoted(parent)} totalisent {shown_total}, "
            f"plus que sa valeur ({expected})."
        )
    else:
        return []
    return [IndicatorProblem(parent.pk, "total", "children_sum", message)]


def _check_complete(indicators, entries):
    return [
        IndicatorProblem(
            indicator.pk,
            "text" if indicator.unit == TEXT else "total",
            "missing",
            f"{_quoted(indicator)} n'est pas renseigné (0 est une valeur).",
        )
        for indicator in indicators
        if indicator.is_required and not entries[indicator.pk].is_filled
    ]


def check_entries(indicators, entries, *, complete=False):
    """Normalise and check the values of a report.

    `indicators`: the set's indicators (objects with pk, label, unit, is_gendered, parent_id,
    children_rule, is_required); `entries`: {indicator pk: Entry}. With `complete`, every
    required indicator must be filled (submission). Returns (normalised entries, problems).
    """
    indicators = list(indicators)
    normalised, problems = {}, []
    for indicator in indicators:
        entry, entry_problems = _check_entry(indicator, entries.get(indicator.pk, Entry()))
        normalised[indicator.pk] = entry
        problems += entry_problems
    invalid = {problem.indicator_id for problem in problems}
    problems += _check_children(indicators, normalised, invalid)
    if complete:
        problems += _check_complete(indicators, normalised)
    return normalised, problems


def report_warnings(indicators, entries):
    """What does not block a submission but is asked for: the women / men split."""
    return [
        IndicatorProblem(
            indicator.pk,
            "women",
            "split_missing",
            f"{_quoted(indicator)} : la répartition entre femmes et hommes n'est pas renseignée.",
            blocking=False,
        )
        for indicator in indicators
        if indicator.is_gendered
        and entries.get(indicator.pk, Entry()).total is not None
        and not entries[indicator.pk].has_split
    ]
