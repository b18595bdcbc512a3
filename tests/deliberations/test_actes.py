import datetime

import pytest
from django.core.exceptions import ValidationError

from deliberations import actes
from grants.models import Authority

SEM = Authority(name="Saint-Étienne Métropole", siren="244200770", department_code="042")
SESSION = datetime.date(2024, 6, 13)
SEED = "99_DE-042-244200770-20240613-D20240034410"


def problems(value, authority=SEM, date=SESSION):
    return actes.mismatches(actes.parse(value), authority=authority, decision_date=date)


def test_the_seeds_identifier_is_read_and_consistent():
    identifier = actes.parse(SEED)
    assert identifier == actes.ActesIdentifier(
        department="042",
        siren="244200770",
        date=SESSION,
        internal_number="D20240034410",
        nature="DE",
    )
    assert problems(SEED) == []
    assert actes.internal_number_cites(identifier, "2024.00344")


def test_the_canonical_spelling_is_accepted():
    assert problems("042-244200770-20240613-D20240034410-DE") == []


def test_a_copy_from_markdown_with_escaped_underscore_and_spaces_is_accepted():
    assert problems(" 99\\_DE-042-244200770-20240613-D20240034410 ") == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "D20240034410",
        "042-24420077-20240613-D20240034410-DE",  # 8-digit SIREN
        "042-244200770-2024061-D20240034410-DE",  # 7-digit date
        "42-244200770-20240613-D20240034410-DE",  # 2-digit department
        "042-244200770-20240613-D2024/00344-DE",  # forbidden character
        "042-244200770-20240613-D20240034410",  # no nature
    ],
)
def test_malformed_identifiers_get_a_clear_french_message(value):
    with pytest.raises(ValidationError) as error:
        actes.parse(value)
    message = error.value.messages[0]
    assert "mal formé" in message and "DÉPARTEMENT-SIREN-AAAAMMJJ-NUMÉRO-NATURE" in message


def test_an_impossible_date_is_named():
    with pytest.raises(ValidationError) as error:
        actes.parse("042-244200770-20241332-D20240034410-DE")
    assert error.value.messages == ["La date 32/13/2024 de l'identifiant @ctes n'existe pas."]


def test_another_authoritys_siren_is_refused():
    assert problems("99_DE-042-200054807-20240613-D20240034410") == [
        "Le SIREN de l'identifiant @ctes (200054807) n'est pas celui de Saint-Étienne Métropole "
        "(244200770)."
    ]


def test_a_date_other_than_the_sessions_is_refused():
    assert problems("99_DE-042-244200770-20240614-D20240034410") == [
        "La date de l'identifiant @ctes (14/06/2024) n'est pas celle de la séance (13/06/2024)."
    ]


def test_another_department_is_refused():
    assert problems("99_DE-013-244200770-20240613-D20240034410") == [
        "Le département de l'identifiant @ctes (013) n'est pas celui de Saint-Étienne Métropole "
        "(042)."
    ]


def test_a_nature_other_than_deliberation_is_refused():
    [message] = problems("99_AR-042-244200770-20240613-D20240034410")
    assert "« AR » (arrêté réglementaire)" in message and "nature DE" in message


def test_corsican_departments_are_read():
    assert actes.parse("02A-244200770-20240613-D1-DE").department == "02A"


def test_an_internal_number_without_the_deliberation_number_is_noticed():
    assert not actes.internal_number_cites(actes.parse(SEED), "2024.00345")
