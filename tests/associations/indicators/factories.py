"""Factories for indicator sets and reports (tests/associations/test_indicator_*.py)."""

from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory

from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet, IndicatorValue
from tests.factories import AssociationFactory, AuthorityFactory, StructureTypeFactory


class IndicatorSetFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorSet

    authority = factory.SubFactory(AuthorityFactory)
    structure_type = factory.SubFactory(StructureTypeFactory)
    year = 2023
    title = "Indicateurs d'observation de l'impact"


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    indicator_set = factory.SubFactory(IndicatorSetFactory)
    position = factory.Sequence(lambda n: n * 10)
    code = factory.Sequence(lambda n: f"indicateur_{n}")
    label = factory.Sequence(lambda n: f"Indicateur {n}")


class IndicatorReportFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorReport

    indicator_set = factory.SubFactory(IndicatorSetFactory)
    association = factory.SubFactory(
        AssociationFactory,
        authority=factory.SelfAttribute("..indicator_set.authority"),
        structure_type=factory.SelfAttribute("..indicator_set.structure_type"),
    )


class IndicatorValueFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    report = factory.SubFactory(IndicatorReportFactory)
    indicator = factory.SubFactory(
        IndicatorFactory, indicator_set=factory.SelfAttribute("..report.indicator_set")
    )


@dataclass
class SmallSet:
    """A set shaped like annex V: a breakdown, a "dont", a women / men count, a free text."""

    indicator_set: IndicatorSet
    members: Indicator  # sum of companies + academics + others
    companies: Indicator
    academics: Indicator
    others: Indicator
    new: Indicator  # "of which" metropolitan
    new_metro: Indicator
    staff: Indicator  # women / men
    note: Indicator  # free text, optional

    @property
    def all(self):
        return [self.members, self.companies, self.academics, self.others, self.new,
                self.new_metro, self.staff, self.note]  # fmt: skip


def small_set(**kwargs):
    indicator_set = IndicatorSetFactory(**kwargs)

    def make(code, label, **options):
        return IndicatorFactory(indicator_set=indicator_set, code=code, label=label, **options)

    members = make("adherents_total", "Nombre d'adhérents", children_rule="somme")
    companies = make("adherents_entreprises", "dont entreprises", parent=members)
    academics = make("adherents_academiques", "dont laboratoires", parent=members)
    others = make("adherents_autres", "dont autres", parent=members)
    new = make("nouveaux", "Nouveaux adhérents", children_rule="partie")
    new_metro = make("nouveaux_metropole", "dont métropolitains", parent=new)
    staff = make("effectifs", "Effectifs cumulés", is_gendered=True)
    note = make("remarques", "Faits marquants", unit="texte", is_required=False)
    return SmallSet(indicator_set, members, companies, academics, others, new, new_metro, staff,
                    note)  # fmt: skip
