"""`{% renewal_warning association %}`: the art. 5.4 warning, on any page that prepares a new
grant or convention for an association (association detail, convention form)."""

from django import template

from associations.models import Association
from conventions.justificatifs.due import (
    imported_grant_warnings,
    previous_grants,
    renewal_warnings,
)

register = template.Library()


def _association(user, value):
    if value in (None, ""):
        return None
    if isinstance(value, Association):
        return value
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Association.objects.visible_to(user).filter(pk=pk).first()


def _year(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("conventions/justificatifs/_renewal_warning.html", takes_context=True)
def renewal_warning(context, association, year=None, exclude=None, history=False):
    """Previous conventions (before `year`, except `exclude`) lacking accepted justificatifs,
    imported grants whose justificatifs the application does not track, and, with `history`,
    the association's previous grants (where the page does not list them already)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"warnings": [], "imported": [], "history": []}
    association = _association(user, association)
    warnings = renewal_warnings(
        association,
        user=user,
        before_year=_year(year),
        exclude_pk=getattr(exclude, "pk", exclude) or None,
    )
    before_year = _year(year)
    imported = imported_grant_warnings(association, user=user, before_year=before_year)
    shown = previous_grants(association, user=user, before_year=before_year) if history else []
    return {
        "warnings": warnings,
        "imported": imported,
        "history": shown,
        "association": association,
        "user": user,
    }
