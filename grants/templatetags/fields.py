"""`{% field_row field %}`: a form field with its label, help text and errors.

The markup of templates/includes/field.html, written in Python: every form and every list's
filters render it once per field, and the template language's lookups on a bound field
(`field.field.widget.input_type`…) cost about 0.2 ms a field, a third of a list page's own
work at scale "large". The widget itself is still rendered by Django's form renderer.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

REQUIRED = (
    ' <span class="required" aria-hidden="true">*</span>'
    '<span class="visually-hidden"> (obligatoire)</span>'
)


@register.simple_tag
def field_row(field):
    widget = field.field.widget
    errors = field.errors
    checkbox = getattr(widget, "input_type", None) == "checkbox"
    multiple = getattr(widget, "allow_multiple_selected", False)
    classes = "field"
    if errors:
        classes += " field-error"
    if checkbox:
        classes += " field-checkbox"
    label = conditional_escape(field.label)
    if checkbox and not multiple:
        body = format_html(
            '\n    {} <label for="{}">{}</label>\n  ', field, field.id_for_label or "", label
        )
    elif multiple and checkbox:
        star = ' <span class="required" aria-hidden="true">*</span>' if field.field.required else ""
        body = format_html(
            "\n    <fieldset><legend>{}{}</legend>{}</fieldset>\n  ", label, mark_safe(star), field
        )
    else:
        body = format_html(
            '\n    <label for="{}">{}{}</label>\n    {}\n  ',
            field.id_for_label or "",
            label,
            mark_safe(REQUIRED if field.field.required else ""),
            field,
        )
    parts = [format_html('\n<div class="{}">\n  ', classes), body, "\n  "]
    if field.help_text:
        parts.append(
            format_html('<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text)
        )
    parts.append("\n  ")
    for error in errors:
        parts.append(format_html('<p class="error" id="{}_error">{}</p>', field.auto_id, error))
    parts.append("\n</div>\n")
    return mark_safe("".join(str(part) for part in parts))
