"""Reads for the comparison page: one indicator across associations and years.

Indicators are matched by their `code` across the sets the user may see (an authority defines
one set per structure type and year, copying the codes from year to year), with the unit of
the chosen indicator. A fixed number of queries whatever the number of rows: the associations
of the page, then their values in one query.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef

from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet, IndicatorValue
from associations.models import Association, StructureType
from grants.access import scope

MEASURES = [("total", "Total"), ("women", "Femmes"), ("men", "Hommes")]
STATUSES = [("", "Brouillons compris (signalés)"), ("soumis", "Rapports soumis seulement")]


class ComparisonForm(forms.Form):
    indicator_set = forms.ChoiceField(label="Jeu d'indicateurs", required=False)
    indicator = forms.ChoiceField(label="Indicateur", required=False)
    structure_type = forms.ModelChoiceField(
        label="Type de structure",
        queryset=StructureType.objects.all(),
        required=False,
        empty_label="Tous",
    )
    year_from = forms.IntegerField(label="De l'année", required=False, min_value=2000)
    year_to = forms.IntegerField(label="À l'année", required=False, max_value=2100)
    status = forms.ChoiceField(label="Rapports", choices=STATUSES, required=False)
    measure = forms.ChoiceField(label="Valeur", choices=MEASURES, required=False)

    def __init__(self, data, *, sets):
        super().__init__(data or None)
        self.sets = {str(s.pk): s for s in sets}
        # Labels without a query per option: the sets are loaded with their relations.
        self.fields["indicator_set"].choices = [
            (s.pk, f"{s.year} — {s.structure_type} — {s.authority.display_name}") for s in sets
        ]

    def chosen_set(self):
        """The set chosen, else the most recent one."""
        chosen = self.data.get("indicator_set")
        if chosen in self.sets:
            return self.sets[chosen]
        return next(iter(self.sets.values()), None)


@dataclass
class Cell:
    value: object
    women: object
    men: object
    text: str
    comment: str
    is_draft: bool
    set_id: int

    def measure(self, name):
        return getattr(self, "value" if name == "total" else name)


@dataclass
class Row:
    association: Association
    cells: dict  # {year: Cell}


def _matching_sets(user, *, structure_type, year_from, year_to, **_):
    sets = IndicatorSet.objects.visible_to(user)
    if structure_type is not None:
        sets = sets.filter(structure_type=structure_type)
    if year_from:
        sets = sets.filter(year__gte=year_from)
    if year_to:
        sets = sets.filter(year__lte=year_to)
    return sets


def _filled_values(user, indicator, *, submitted_only, **filters):
    """The values of the indicator (its code and unit across the matching sets) that hold
    something, whoever reported them: callers scope the reports through the association."""
    indicators = Indicator.objects.filter(
        code=indicator.code, unit=indicator.unit, indicator_set__in=_matching_sets(user, **filters)
    )
    values = IndicatorValue.objects.filter(indicator__in=indicators)
    if submitted_only:
        values = values.filter(report__status=IndicatorReport.Status.SUBMITTED)
    return values.filter(total__isnull=False) if indicator.is_numeric else values.exclude(text="")


def comparison(user, indicator, *, page_number, per_page=25, **filters):
    """(years, page of associations, rows) for one indicator. `filters`: structure_type,
    year_from, year_to, submitted_only.

    The associations are those the user may see with a filled value of the indicator; a report
    is visible exactly when its association is, so the association's scope is the report's."""
    from django.core.paginator import Paginator

    values = _filled_values(user, indicator, **filters)
    associations = (
        Association.objects.visible_to(user)
        .filter(pk__in=values.values("report__association_id"))
        .order_by("name", "pk")
    )
    page = Paginator(associations, per_page).get_page(page_number)
    # The years from the sets (a handful of rows), each kept if it holds a matching value: an
    # EXISTS per set stops at its first value instead of reading them all.
    visible = scope(values, user, authority="report__association__authority",
                    association="report__association")  # fmt: skip
    in_set = visible.filter(indicator__indicator_set=OuterRef("pk"))
    years = sorted(
        set(_matching_sets(user, **filters).filter(Exists(in_set)).values_list("year", flat=True))
    )
    rows = {association.pk: Row(association, {}) for association in page.object_list}
    # The page's associations are visible, hence their reports.
    page_values = values.filter(report__association_id__in=list(rows)).values_list(
        "report__association_id",
        "report__indicator_set__year",
        "total",
        "women",
        "men",
        "text",
        "comment",
        "report__status",
        "report__indicator_set_id",
    )
    for association_id, year, total, women, men, text, comment, status, set_id in page_values:
        rows[association_id].cells[year] = Cell(
            total, women, men, text, comment, status == IndicatorReport.Status.DRAFT, set_id
        )
    return years, page, list(rows.values())


def default_indicator(indicators):
    """The first numeric indicator of a set (a chart needs numbers), else the first one."""
    numeric = [i for i in indicators if i.unit != Indicator.Unit.TEXT]
    return (numeric or indicators or [None])[0]
