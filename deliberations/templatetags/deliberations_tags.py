from django import template
from django.utils.safestring import mark_safe

from deliberations.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a statement of reasons; the HTML is sanitised by nh3 before being marked safe."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised just above
