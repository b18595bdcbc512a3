"""The indicators of a convention's year, shown on the convention and balance request pages."""

from django import template

from associations.indicators.models import IndicatorReport, IndicatorSet
from grants import access

register = template.Library()


@register.inclusion_tag("associations/indicators/_convention_card.html", takes_context=True)
def convention_indicators(context, convention):
    """The report that goes with the convention's balance request, or the set to fill."""
    user = context["request"].user
    association = convention.association
    report = (
        IndicatorReport.objects.for_convention(convention)
        .select_related("indicator_set", "submitted_by")
        .first()
    )
    indicator_set = (
        report.indicator_set
        if report is not None
        else IndicatorSet.objects.for_association(association, convention.year).first()
    )
    return {
        "convention": convention,
        "association": association,
        "report": report,
        "indicator_set": indicator_set,
        "can_fill": indicator_set is not None and access.can_fill_report(user, association, report),
        "can_define": access.can_define_sets(user),
    }
