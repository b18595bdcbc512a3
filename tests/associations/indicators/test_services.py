"""Reports and sets: who may write, what the database refuses, submission, reopening, copies."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from associations.indicators import services
from associations.indicators.checks import Entry
from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet, IndicatorValue
from grants.models import Role
from tests.associations.indicators.factories import (
    IndicatorReportFactory,
    IndicatorSetFactory,
    IndicatorValueFactory,
    small_set,
)
from tests.conventions.factories import ConventionFactory
from tests.factories import (
    AssociationFactory,
    AuthorityFactory,
    ManagerFactory,
    StructureTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return small_set()


@pytest.fixture
def association(s):
    return AssociationFactory(
        authority=s.indicator_set.authority, structure_type=s.indicator_set.structure_type
    )


@pytest.fixture
def manager(association):
    return ManagerFactory(associations=[association])


def complete_entries(s):
    return {
        s.members.pk: Entry(total=D(120)),
        s.companies.pk: Entry(total=D(95)),
        s.academics.pk: Entry(total=D(15)),
        s.others.pk: Entry(total=D(10)),
        s.new.pk: Entry(total=D(12)),
        s.new_metro.pk: Entry(total=D(9)),
        s.staff.pk: Entry(women=D(3100), men=D(6900)),
    }


def save(s, association, user, entries):
    return services.report_save(
        association=association, indicator_set=s.indicator_set, entries=entries, user=user
    )


# -- Saving ----------------------------------------------------------------------------------


def test_a_manager_saves_a_draft_and_the_computed_total_is_stored(s, association, manager):
    report = save(s, association, manager, complete_entries(s))
    assert report.status == IndicatorReport.Status.DRAFT
    assert (report.created_by, report.updated_by) == (manager, manager)
    staff = report.values.get(indicator=s.staff)
    assert (staff.women, staff.men, staff.total) == (D(3100), D(6900), D(10000))
    assert report.values.count() == 7


def test_saving_again_updates_and_a_blanked_value_is_removed(s, association, manager):
    save(s, association, manager, complete_entries(s))
    entries = complete_entries(s)
    entries[s.new.pk] = Entry(total=D(13))
    del entries[s.new_metro.pk]
    report = save(s, association, manager, entries)
    assert report.values.get(indicator=s.new).total == D(13)
    assert not report.values.filter(indicator=s.new_metro).exists()
    assert IndicatorReport.objects.count() == 1


def test_an_inconsistent_report_is_refused_with_the_french_message(s, association, manager):
    entries = complete_entries(s)
    entries[s.staff.pk] = Entry(total=D(10001), women=D(3100), men=D(6900))
    with pytest.raises(ValidationError) as error:
        save(s, association, manager, entries)
    assert error.value.messages == [
        "Le total (10\u00a0001) ne correspond pas à femmes + hommes : 3\u00a0100 + 6\u00a0900 = "
        "10\u00a0000."
    ]
    assert not IndicatorReport.objects.exists()


def test_another_associations_manager_may_not_write(s, association):
    other = ManagerFactory(associations=[AssociationFactory(authority=association.authority)])
    with pytest.raises(PermissionDenied):
        save(s, association, other, complete_entries(s))


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_read_only_roles_may_not_write(s, association, role):
    user = UserFactory(role=role, authority=association.authority)
    with pytest.raises(PermissionDenied):
        save(s, association, user, complete_entries(s))


def test_a_set_of_another_type_does_not_apply(s, manager):
    association = manager.managed_associations.get()
    association.structure_type = StructureTypeFactory(name="Incubateur")
    association.save()
    with pytest.raises(ValidationError, match="ne s'applique pas"):
        save(s, association, manager, complete_entries(s))


# -- Submission ------------------------------------------------------------------------------


def test_submission_records_who_and_when_and_freezes_the_managers_copy(s, association, manager):
    report = save(s, association, manager, complete_entries(s))
    report = services.report_submit(report, manager)
    assert report.is_submitted
    assert report.submitted_by == manager and report.submitted_at is not None
    with pytest.raises(PermissionDenied, match="seule la collectivité peut encore le corriger"):
        save(s, association, manager, complete_entries(s))
    with pytest.raises(ValidationError, match="déjà été soumis"):
        services.report_submit(report, manager)


def test_an_incomplete_report_cannot_be_submitted(s, association, manager):
    entries = complete_entries(s)
    del entries[s.staff.pk]
    report = save(s, association, manager, entries)
    with pytest.raises(ValidationError) as error:
        services.report_submit(report, manager)
    assert error.value.messages == ["« Effectifs cumulés » n'est pas renseigné (0 est une valeur)."]
    report.refresh_from_db()
    assert not report.is_submitted


def test_an_optional_text_may_stay_blank_at_submission(s, association, manager):
    report = save(s, association, manager, complete_entries(s))
    assert services.submission_problems(report) == ([], [])


def test_staff_correct_a_submitted_report_and_reopen_it(s, association, manager):
    instructor = UserFactory(role=Role.INSTRUCTOR, authority=association.authority)
    report = services.report_submit(save(s, association, manager, complete_entries(s)), manager)
    entries = complete_entries(s)
    entries[s.new_metro.pk] = Entry(total=D(8))
    report = save(s, association, instructor, entries)
    assert report.is_submitted and report.updated_by == instructor
    assert report.values.get(indicator=s.new_metro).total == D(8)

    with pytest.raises(ValidationError):
        services.report_reopen(report, instructor, reason="  ")
    with pytest.raises(PermissionDenied):
        services.report_reopen(report, manager, reason="Erreur")
    report = services.report_reopen(report, instructor, reason="Effectifs à vérifier")
    assert report.status == IndicatorReport.Status.DRAFT
    assert (report.reopened_by, report.reopen_reason) == (instructor, "Effectifs à vérifier")
    save(s, association, manager, complete_entries(s))  # the manager may write again


# -- Database guards -------------------------------------------------------------------------


def test_the_database_refuses_women_and_men_that_do_not_add_up():
    value = IndicatorValueFactory(total=D(11), women=D(5), men=D(6))
    rows = IndicatorValue.objects.filter(pk=value.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(total=D(12))
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(total=None)  # a split without its total
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(men=None)  # women without men
    rows.update(women=None, men=None)  # the total alone is fine


def test_the_database_refuses_negative_values():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(total=D(-1))


def test_one_set_per_authority_type_and_year():
    first = IndicatorSetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSetFactory(
            authority=first.authority, structure_type=first.structure_type, year=first.year
        )


def test_an_indicator_cannot_be_its_own_ancestor(s):
    s.members.parent = s.companies
    with pytest.raises(ValidationError, match="son propre sous-indicateur"):
        s.members.full_clean()


def test_a_text_indicator_is_neither_gendered_nor_a_parent(s):
    s.note.is_gendered = True
    with pytest.raises(ValidationError, match="texte libre"):
        s.note.full_clean()
    s.note.is_gendered = False
    s.companies.parent = s.note
    with pytest.raises(ValidationError, match="valeurs chiffrées"):
        s.companies.full_clean()


# -- Queries ---------------------------------------------------------------------------------


def test_for_convention_finds_the_report_of_the_conventions_year(s, association, manager):
    report = save(s, association, manager, complete_entries(s))
    convention = ConventionFactory(association=association, year=2023)
    assert list(IndicatorReport.objects.for_convention(convention)) == [report]
    assert not IndicatorReport.objects.for_convention(
        ConventionFactory(association=association, year=2024)
    ).exists()
    assert not report.is_submitted
    services.report_submit(report, manager)
    assert IndicatorReport.objects.for_convention(convention).get().is_submitted


def test_visible_to_follows_the_association_rule(s, association, manager):
    report = IndicatorReportFactory(indicator_set=s.indicator_set, association=association)
    authority = association.authority
    assert list(IndicatorReport.objects.visible_to(manager)) == [report]
    assert list(IndicatorReport.objects.visible_to(UserFactory(authority=authority))) == [report]
    outsider = UserFactory(authority=AuthorityFactory())
    assert not IndicatorReport.objects.visible_to(outsider).exists()
    assert not IndicatorSet.objects.visible_to(outsider).exists()
    assert not IndicatorReport.objects.visible_to(ManagerFactory()).exists()


# -- Sets ------------------------------------------------------------------------------------


def test_copying_a_set_keeps_codes_and_structure(s):
    instructor = UserFactory(role=Role.INSTRUCTOR, authority=s.indicator_set.authority)
    copy = services.indicator_set_copy(
        s.indicator_set, year=2024, structure_type=s.indicator_set.structure_type, user=instructor
    )
    assert copy.year == 2024 and copy.pk != s.indicator_set.pk
    copied = {i.code: i for i in copy.indicators.select_related("parent")}
    assert list(copied) == [i.code for i in s.all]
    assert copied["adherents_entreprises"].parent == copied["adherents_total"]
    assert copied["effectifs"].is_gendered
    with pytest.raises(ValidationError):
        services.indicator_set_copy(
            s.indicator_set, year=2024, structure_type=copy.structure_type, user=instructor
        )
    viewer = UserFactory(role=Role.VIEWER, authority=s.indicator_set.authority)
    with pytest.raises(PermissionDenied):
        services.indicator_set_copy(
            s.indicator_set, year=2025, structure_type=copy.structure_type, user=viewer
        )


def test_an_indicator_holding_values_cannot_be_deleted(s, association, manager):
    instructor = UserFactory(role=Role.INSTRUCTOR, authority=s.indicator_set.authority)
    save(s, association, manager, {s.companies.pk: Entry(total=D(3))})
    with pytest.raises(ValidationError, match="ne peut plus être supprimé"):
        services.indicator_delete(s.members, instructor)  # its sub-indicator has a value
    services.indicator_delete(s.new, instructor)
    assert not Indicator.objects.filter(code__in=["nouveaux", "nouveaux_metropole"]).exists()
    assert IndicatorValue.objects.count() == 1
