import datetime
from decimal import Decimal

import pytest

from deliberations import checks
from deliberations.models import Deliberation
from tests.deliberations.factories import DecisionFactory, adopted_deliberation, make_session
from tests.factories import AssociationFactory, GrantFactory

pytestmark = pytest.mark.django_db


def by_label(deliberation):
    deliberation = Deliberation.objects.select_related("session__body", "authority").get(
        pk=deliberation.pk
    )
    return {c.label: c for c in checks.deliberation_checks(deliberation)}


@pytest.fixture
def deliberation():
    session = make_session(in_office=68, present=51, proxies=9)
    authority = session.body.authority
    authority.siren, authority.department_code = "244200770", "042"
    authority.save()
    deliberation = adopted_deliberation(session, number="2024.00344")
    deliberation.decisions.all().delete()
    DecisionFactory(
        deliberation=deliberation,
        position=1,
        text="autorise l'attribution d'une subvention de fonctionnement de 62 500 € au pôle "
        "Minalogic, au titre de l'année 2024,",
    )
    DecisionFactory(deliberation=deliberation, position=2, text="approuve le projet de convention")
    DecisionFactory(
        deliberation=deliberation,
        position=3,
        text="la dépense sera imputée sur le compte : INUM/SUFLI/65748.",
    )
    GrantFactory(
        association=AssociationFactory(authority=authority),
        deliberation=deliberation,
        amount=Decimal("62500.00"),
        budget_imputation="INUM/SUFLI/65748",
    )
    deliberation.prefecture_received_on = datetime.date(2024, 6, 21)
    deliberation.published_on = datetime.date(2024, 6, 21)
    deliberation.actes_identifier = "99_DE-042-244200770-20240613-D20240034410"
    deliberation.save()
    return deliberation


def test_a_consistent_deliberation_passes_every_check(deliberation):
    results = by_label(deliberation)
    assert {label: c.level for label, c in results.items() if c.level != "ok"} == {}
    assert results["Subventions"].message == (
        "1 subvention pour un total de 62\u00a0500,00\u00a0€, montant cité par les articles."
    )
    assert results["Votes et voix disponibles"].message.endswith(
        "60 voix comptées pour 60 disponibles."
    )
    assert results["Résultat"].message == "Ce dossier a été adopté à l'unanimité."


def test_a_grant_total_other_than_the_amount_cited_is_an_error(deliberation):
    grant = deliberation.grants.get()
    grant.amount = Decimal("60000.00")
    grant.save()
    check = by_label(deliberation)["Subventions"]
    assert check.level == "error"
    assert "les articles citent 62\u00a0500,00\u00a0€" in check.message


def test_an_imputation_the_articles_do_not_cite_is_flagged(deliberation):
    deliberation.grants.update(budget_imputation="INUM/AUTRE/6574")
    check = by_label(deliberation)["Imputation budgétaire"]
    assert check.level == "warning" and "INUM/AUTRE/6574 non citée" in check.message


def test_a_grant_above_23000_without_convention_article_is_flagged(deliberation):
    deliberation.decisions.filter(position=2).delete()
    check = by_label(deliberation)["Convention"]
    assert check.level == "warning" and "aucun article n'approuve de convention" in check.message


def test_more_votes_than_available_is_an_error(deliberation):
    Deliberation.objects.filter(pk=deliberation.pk).update(votes_for=61)
    check = by_label(deliberation)["Votes et voix disponibles"]
    assert check.level == "error"
    assert "61 voix comptées pour 60 voix disponibles (51 présents + 9 pouvoirs)" in check.message


def test_fewer_votes_than_available_is_a_warning(deliberation):
    Deliberation.objects.filter(pk=deliberation.pk).update(votes_for=58)
    check = by_label(deliberation)["Votes et voix disponibles"]
    assert check.level == "warning" and "2 voix manquent" in check.message


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("99_DE-042-200054807-20240613-D20240034410", "SIREN de l'identifiant @ctes (200054807)"),
        ("99_DE-042-244200770-20240612-D20240034410", "(12/06/2024) n'est pas celle de la séance"),
        ("99_DE-013-244200770-20240613-D20240034410", "département de l'identifiant @ctes (013)"),
        ("DE-042-244200770", "est mal formé"),
    ],
)
def test_actes_identifier_problems_are_errors(deliberation, identifier, expected):
    Deliberation.objects.filter(pk=deliberation.pk).update(actes_identifier=identifier)
    check = by_label(deliberation)["Identifiant @ctes"]
    assert check.level == "error" and expected in check.message


def test_a_reception_before_the_session_is_an_error(deliberation):
    Deliberation.objects.filter(pk=deliberation.pk).update(
        prefecture_received_on=datetime.date(2024, 6, 12)
    )
    check = by_label(deliberation)["Réception en préfecture"]
    assert check.level == "error" and "précède la séance du 13/06/2024" in check.message


def test_adoption_at_a_session_without_quorum_is_an_error():
    session = make_session(in_office=68, present=34, proxies=10)
    deliberation = adopted_deliberation(session)
    check = by_label(deliberation)["Adoption"]
    assert check.level == "error"


def test_amounts_cited_are_read_the_french_way():
    text = "de 62 500 € puis 1\u00a0234,5 € et 66.000 euros, et 12 € ; pas 2024"
    assert checks.amounts_cited(text) == [
        Decimal("62500.00"),
        Decimal("1234.50"),
        Decimal("66000.00"),
        Decimal("12.00"),
    ]
