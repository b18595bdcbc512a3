"""The form renderer: Django's `TemplatesSetting` (so that templates/django/forms/ overrides
Django's widgets), with the widgets every form and every list's filters draw (inputs, <select>,
<textarea>) written in Python instead of the template language.

A list's filters render 6 to 10 widgets; through templates each costs an include of
`input.html` and of `attrs.html` (0.1–0.3 ms), a fifth of a list page's own work at scale
"large". The markup is the templates' own, byte for byte: tests/grants/test_renderers.py renders
every widget kind, and every form and filter of the project, both ways and compares them. Any
other widget (radios, checkbox lists, file inputs, multi-widgets, the project's own widgets)
renders through its template as before.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"

# The templates that are `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUTS = {
    WIDGETS + name + ".html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}


def _text(value):
    """`{{ value }}`: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _string(value):
    """`{{ value|stringformat:'s' }}`: `%s`, escaped unless already safe."""
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


def render_input(widget):
    value = widget["value"]
    shown = "" if value is None else f' value="{_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def render_select(widget):
    """templates/django/forms/widgets/select.html: the options written inline."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def render_textarea(widget):
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


FAST = {
    **dict.fromkeys(INPUTS, render_input),
    WIDGETS + "select.html": render_select,
    WIDGETS + "textarea.html": render_textarea,
}


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        widget = context.get("widget")
        if fast is None or widget is None or widget.get("template_name") != template_name:
            return super().render(template_name, context, request=request)
        return fast(widget).strip()
