"""The arithmetic of a report, without the database: women + men = total, sub-indicators."""

from decimal import Decimal as D
from types import SimpleNamespace

from associations.indicators.checks import (
    Entry,
    check_entries,
    format_value,
    report_warnings,
    resolve_split,
)


def ind(pk, label=None, *, unit="nombre", gendered=False, parent=None, rule="somme",
        required=True):  # fmt: skip
    return SimpleNamespace(
        pk=pk,
        label=label or f"Indicateur {pk}",
        unit=unit,
        is_gendered=gendered,
        parent_id=parent,
        children_rule=rule,
        is_required=required,
    )


def messages(problems):
    return [p.message for p in problems]


# -- Women / men / total ---------------------------------------------------------------------


def test_women_and_men_must_add_up_to_the_typed_total():
    staff = ind(1, "Effectifs", gendered=True)
    _, problems = check_entries([staff], {1: Entry(total=D(12), women=D(5), men=D(6))})
    assert messages(problems) == ["Le total (12) ne correspond pas à femmes + hommes : 5 + 6 = 11."]
    assert problems[0].field == "total"


def test_a_matching_total_is_accepted():
    staff = ind(1, gendered=True)
    entries, problems = check_entries([staff], {1: Entry(total=D(11), women=D(5), men=D(6))})
    assert problems == []
    assert entries[1].total == D(11)


def test_a_blank_total_is_computed_from_women_and_men():
    staff = ind(1, gendered=True)
    entries, problems = check_entries([staff], {1: Entry(women=D(3100), men=D(6900))})
    assert problems == []
    assert entries[1].total == D(10000)


def test_women_without_men_is_refused_rather_than_guessed():
    staff = ind(1, gendered=True)
    _, problems = check_entries([staff], {1: Entry(total=D(10), women=D(4))})
    assert problems[0].field == "men"
    assert "à la fois le nombre de femmes et le nombre d'hommes" in problems[0].message


def test_the_total_alone_is_accepted_with_a_warning_asking_for_the_split():
    staff = ind(1, "Effectifs cumulés", gendered=True)
    entries, problems = check_entries([staff], {1: Entry(total=D(10))}, complete=True)
    assert problems == []
    warnings = report_warnings([staff], entries)
    assert messages(warnings) == [
        "« Effectifs cumulés » : la répartition entre femmes et hommes n'est pas renseignée."
    ]
    assert not warnings[0].blocking


def test_resolve_split_at_the_cent():
    assert resolve_split(D("10.01"), D("5.00"), D("5.01"))[1] is None
    assert resolve_split(D("10.02"), D("5.00"), D("5.01"))[1] == "total"


def test_a_split_typed_on_an_indicator_that_is_not_gendered_is_dropped():
    members = ind(1)
    entries, problems = check_entries([members], {1: Entry(total=D(8), women=D(1), men=D(1))})
    assert problems == []
    assert (entries[1].women, entries[1].men, entries[1].total) == (None, None, D(8))


# -- Sub-indicators ---------------------------------------------------------------------------


def members_tree():
    return [
        ind(1, "Nombre d'adhérents", rule="somme"),
        ind(2, "dont entreprises", parent=1),
        ind(3, "dont laboratoires", parent=1),
        ind(4, "dont autres", parent=1),
    ]


def test_a_breakdown_must_add_up_to_its_parent():
    entries = {1: Entry(total=D(120)), 2: Entry(total=D(95)), 3: Entry(total=D(15)),
               4: Entry(total=D(11))}  # fmt: skip
    _, problems = check_entries(members_tree(), entries)
    assert messages(problems) == [
        "La somme des sous-indicateurs de « Nombre d'adhérents » (95 + 15 + 11 = 121) n'est pas "
        "égale à sa valeur (120)."
    ]
    assert (problems[0].indicator_id, problems[0].field) == (1, "total")


def test_a_breakdown_that_adds_up_is_accepted():
    entries = {1: Entry(total=D(120)), 2: Entry(total=D(95)), 3: Entry(total=D(15)),
               4: Entry(total=D(10))}  # fmt: skip
    assert check_entries(members_tree(), entries)[1] == []


def test_a_partial_breakdown_may_not_exceed_its_parent_yet():
    entries = {1: Entry(total=D(100)), 2: Entry(total=D(95)), 3: Entry(total=D(15))}
    _, problems = check_entries(members_tree(), entries)
    assert messages(problems) == [
        "Les sous-indicateurs déjà saisis de « Nombre d'adhérents » totalisent 110, plus que sa "
        "valeur (100)."
    ]


def test_a_partial_breakdown_below_its_parent_is_a_valid_draft():
    entries = {1: Entry(total=D(100)), 2: Entry(total=D(60))}
    assert check_entries(members_tree(), entries)[1] == []


def test_a_blank_parent_is_not_computed_from_its_sub_indicators():
    entries = {2: Entry(total=D(95)), 3: Entry(total=D(15)), 4: Entry(total=D(10))}
    normalised, problems = check_entries(members_tree(), entries)
    assert problems == []
    assert normalised[1].total is None
    _, at_submission = check_entries(members_tree(), entries, complete=True)
    assert messages(at_submission) == [
        "« Nombre d'adhérents » n'est pas renseigné (0 est une valeur)."
    ]


def test_an_of_which_part_may_not_exceed_its_parent():
    tree = [ind(1, "Nouveaux adhérents", rule="partie"), ind(2, "dont métropolitains", parent=1)]
    _, problems = check_entries(tree, {1: Entry(total=D(12)), 2: Entry(total=D(13))})
    assert messages(problems) == [
        "« dont métropolitains » (13) ne peut pas dépasser « Nouveaux adhérents » (12)."
    ]
    assert (problems[0].indicator_id, problems[0].field) == (2, "total")
    assert check_entries(tree, {1: Entry(total=D(12)), 2: Entry(total=D(12))})[1] == []


def test_a_breakdown_of_a_breakdown_is_checked_at_each_level():
    tree = [*members_tree(), ind(5, "moins de 10", parent=2), ind(6, "plus de 10", parent=2)]
    entries = {1: Entry(total=D(120)), 2: Entry(total=D(95)), 3: Entry(total=D(15)),
               4: Entry(total=D(10)), 5: Entry(total=D(40)), 6: Entry(total=D(50))}  # fmt: skip
    _, problems = check_entries(tree, entries)
    assert [(p.indicator_id, p.code) for p in problems] == [(2, "children_sum")]


def test_a_women_men_total_computed_first_is_then_checked_against_the_parent():
    tree = [ind(1, "Emplois", gendered=True, rule="partie"), ind(2, "dont CDI", parent=1)]
    entries = {1: Entry(women=D(2), men=D(3)), 2: Entry(total=D(6))}
    _, problems = check_entries(tree, entries)
    assert messages(problems) == ["« dont CDI » (6) ne peut pas dépasser « Emplois » (5)."]


# -- Values -----------------------------------------------------------------------------------


def test_counts_are_whole_numbers_and_nothing_is_negative():
    count, money, share = ind(1), ind(2, unit="euros"), ind(3, unit="pourcentage")
    entries = {1: Entry(total=D("2.5")), 2: Entry(total=D("-1")), 3: Entry(total=D("100.01"))}
    _, problems = check_entries([count, money, share], entries)
    assert messages(problems) == [
        "Saisissez un nombre entier.",
        "Une valeur ne peut pas être négative.",
        "Un pourcentage est compris entre 0 et 100.",
    ]


def test_euros_and_percentages_accept_decimals():
    money, share = ind(1, unit="euros"), ind(2, unit="pourcentage")
    entries = {1: Entry(total=D("1234.56")), 2: Entry(total=D("100.00"))}
    assert check_entries([money, share], entries)[1] == []


def test_a_required_text_must_be_written_and_zero_counts_as_filled():
    note, count = ind(1, "Faits marquants", unit="texte"), ind(2, "Projets")
    _, problems = check_entries([note, count], {1: Entry(text="  "), 2: Entry(total=D(0))},
                                complete=True)  # fmt: skip
    assert messages(problems) == ["« Faits marquants » n'est pas renseigné (0 est une valeur)."]
    assert problems[0].field == "text"


def test_values_are_written_the_french_way():
    assert format_value(D(1234), "nombre") == "1\u00a0234"
    assert format_value(D("12.50"), "pourcentage") == "12,50\u00a0%"
    assert format_value(D(66000), "euros") == "66\u00a0000,00\u00a0€"
