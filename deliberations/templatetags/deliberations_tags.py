import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from deliberations.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a statement of reasons; the HTML is sanitised by nh3 before being marked safe."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised just above


_CODE = re.compile(r"[\w.-]+(?:/[\w.-]+)+")


@register.filter
def keep_codes_together(text):
    """Escape a text and keep codes such as INUM/SUFLI/65748 on one line (no break at "/")."""
    html = _CODE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escape(text or ""))
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 - escaped above
