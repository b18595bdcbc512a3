"""Status badges of the lists: one per row, so a tag rather than an {% include %} per row (an
include costs a template lookup and a context push, about 0.05 ms a row). The include files
call these tags too, so each badge's colours live here only."""

from django import template
from django.utils.html import format_html

register = template.Library()

CONVENTION_CLASSES = {
    "brouillon": "badge-muted",
    "prete_signature": "badge-warn",
    "signee_association": "badge-warn",
    "resiliee": "badge-err",
}
DELIBERATION_CLASSES = {
    "executoire": "badge-ok",
    "rejetee": "badge-err",
    "brouillon": "badge-muted",
    "adoptee": "",
}


@register.simple_tag
def convention_badge(status, label):
    return format_html(
        '<span class="badge {}">{}</span>', CONVENTION_CLASSES.get(status, "badge-ok"), label
    )


@register.simple_tag
def deliberation_badge(deliberation):
    css = DELIBERATION_CLASSES.get(deliberation.status, "badge-warn")
    return format_html('<span class="badge {}">{}</span>', css, deliberation.get_status_display())
