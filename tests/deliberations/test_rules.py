import datetime

import pytest

from deliberations import rules
from deliberations.rules import Vote


@pytest.mark.parametrize(
    ("present", "in_office", "reached"),
    [
        (34, 68, False),  # exactly half is not more than half
        (35, 68, True),
        (51, 68, True),
        (34, 69, False),
        (35, 69, True),
        (1, 1, True),
        (0, 1, False),
        (0, 0, False),
    ],
)
def test_quorum_is_more_than_half_of_the_members_in_office(present, in_office, reached):
    assert rules.quorum_reached(present, in_office) is reached


def test_quorum_threshold_is_the_smallest_majority():
    assert rules.quorum_threshold(68) == 35
    assert rules.quorum_threshold(69) == 35
    assert rules.quorum_threshold(70) == 36


def test_votes_are_present_members_plus_proxies():
    assert rules.votes_available(51, 9) == 60


def test_unanimity_needs_no_vote_against_and_no_abstention():
    assert Vote(60).unanimous
    assert Vote(58, not_participating=2).unanimous
    assert not Vote(59, abstentions=1).unanimous
    assert not Vote(59, against=1).unanimous
    assert not Vote(0).unanimous


def test_adoption_is_the_majority_of_votes_cast_abstentions_aside():
    assert Vote(10, against=9, abstentions=40).adopted
    assert not Vote(10, against=10).adopted
    assert not Vote(9, against=10).adopted


def test_result_sentences():
    assert Vote(60).result_sentence() == "Ce dossier a été adopté à l'unanimité."
    assert Vote(59, not_participating=1).result_sentence() == (
        "Ce dossier a été adopté à l'unanimité (1 membre n'a pas pris part au vote)."
    )
    assert Vote(50, against=6, abstentions=4).result_sentence() == (
        "Ce dossier a été adopté à la majorité (50 voix pour, 6 voix contre, 4 abstentions)."
    )
    assert Vote(20, against=40).result_sentence() == (
        "Ce dossier a été rejeté (20 voix pour, 40 voix contre)."
    )


def test_vote_total_counts_every_vote_accounted_for():
    vote = Vote(50, against=6, abstentions=3, not_participating=1)
    assert vote.total == 60
    assert vote.cast == 56


def test_clear_days_count_neither_the_sending_nor_the_session_day():
    assert rules.clear_days_between(datetime.date(2024, 6, 7), datetime.date(2024, 6, 13)) == 5


def test_convocation_five_clear_days_before_is_in_order():
    assert rules.convocation_problems(datetime.date(2024, 6, 7), datetime.date(2024, 6, 13)) == []


def test_convocation_four_clear_days_before_is_flagged():
    problems = rules.convocation_problems(datetime.date(2024, 6, 8), datetime.date(2024, 6, 13))
    assert problems and "4 jours francs" in problems[0] and "L.2121-12" in problems[0]


def test_convocation_after_the_session_is_refused():
    problems = rules.convocation_problems(datetime.date(2024, 6, 14), datetime.date(2024, 6, 13))
    assert problems == ["La date de convocation est postérieure à la date de la séance."]


def test_second_convocation_needs_three_days():
    session = datetime.date(2024, 6, 13)
    assert rules.convocation_problems(datetime.date(2024, 6, 10), session, True) == []
    [problem] = rules.convocation_problems(datetime.date(2024, 6, 11), session, True)
    assert "au moins 3 jours" in problem and "L.2121-17" in problem


def test_executory_once_both_transmitted_and_published():
    day = datetime.date
    assert rules.executory_date(day(2024, 6, 21), day(2024, 6, 21)) == day(2024, 6, 21)
    assert rules.executory_date(day(2024, 6, 21), day(2024, 6, 24)) == day(2024, 6, 24)
    assert rules.executory_date(None, day(2024, 6, 24)) is None
    assert rules.executory_date(day(2024, 6, 21), None) is None
