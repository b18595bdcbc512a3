"""The form renderer writes the common widgets in Python (grants/renderers.py): the markup must
be the templates' own, byte for byte, for every widget kind and for every page of the project."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from grants.renderers import FAST, FormRenderer
from tests.grants.test_url_matrix import (
    FOREIGN_AUTHORITY,
    NO_PARAMS,
    NOT_OBJECT_PARAMS,
    QUERY_STRINGS,
    URL_PARAMS,
    is_file,
    url_patterns,
    world,  # noqa: F401  (the fixture)
)

TRICKY = 'Ligne « 6574 » <b>&</b> "citée" l\'an'


class EveryWidget(forms.Form):
    text = forms.CharField(initial=TRICKY, help_text="aide")
    search = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": TRICKY, "data-x": 0, "autofocus": True}
        ),
    )
    hidden_false = forms.CharField(widget=forms.TextInput(attrs={"disabled": False}))
    number = forms.DecimalField(initial=Decimal("66000.50"), min_value=0, localize=True)
    integer = forms.IntegerField(initial=2024)
    email = forms.EmailField(initial="a&b@example.org")
    url = forms.URLField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x<y")
    hidden = forms.CharField(widget=forms.HiddenInput, initial=mark_safe("<i>sûr</i>"))
    date = forms.DateField(initial=datetime.date(2024, 6, 13))
    date_input = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    when = forms.DateTimeField(initial=datetime.datetime(2024, 6, 13, 9, 30))
    time = forms.TimeField(required=False)
    checked = forms.BooleanField(initial=True, required=False)
    unchecked = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        choices=[("", "Toutes"), ("a", TRICKY), (2024, 2024), ("lazy", gettext_lazy("Oui"))],
        initial=2024,
    )
    grouped = forms.ChoiceField(
        choices=[("Groupe <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")], initial="y"
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], initial=["a", "b"])
    typed = forms.TypedChoiceField(choices=[(True, "Oui"), (False, "Non")], coerce=bool)
    area = forms.CharField(widget=forms.Textarea, initial="ligne 1\n<ligne 2>")
    empty_area = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("a", "A")])  # template path


def both_ways(form_class, **kwargs):
    fast = form_class(renderer=FormRenderer(), **kwargs)
    slow = form_class(renderer=TemplatesSetting(), **kwargs)
    return {name: (str(fast[name]), str(slow[name])) for name in fast.fields}


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"data": {"text": "<script>", "choice": "a", "several": ["b"], "area": "x & y"}}],
    ids=["initial", "bound"],
)
def test_every_widget_kind_renders_as_its_template(kwargs):
    rendered = both_ways(EveryWidget, **kwargs)
    for name, (fast, slow) in rendered.items():
        assert fast == slow, name
    # The page still shows what the user typed, escaped.
    if kwargs:
        assert 'value="&lt;script&gt;"' in rendered["text"][0]


def test_the_python_widgets_are_used_and_the_others_fall_back_to_their_templates():
    form = EveryWidget(renderer=FormRenderer())
    used = {form[name].field.widget.template_name for name in form.fields}
    assert "django/forms/widgets/select.html" in used & FAST.keys()
    assert "django/forms/widgets/radio.html" in used - FAST.keys()
    assert 'type="radio"' in str(form["radio"])


def first_difference(expected, got):
    at = next(i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b)
    return expected[at - 100 : at + 400], got[at - 100 : at + 400]


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"csrfToken": "[^"]+"')


@pytest.mark.django_db
def test_every_page_renders_the_same_with_the_python_widgets(world, settings):  # noqa: F811
    """Every URL of the application (the URL matrix's), as the platform administrator: the same
    HTML through the Python widgets as through the templates, once the CSRF tokens are set
    aside (they change with each response)."""
    # One client per renderer, walking the same URLs in step: what a page leaves in its
    # session (a message shown on the next page) is the same on both sides.
    renderers = ("django.forms.renderers.TemplatesSetting", "grants.renderers.FormRenderer")
    clients = {renderer: Client() for renderer in renderers}
    for client in clients.values():
        client.force_login(world["users"]["administrateur plateforme"])
    compared = 0
    for name, _pattern in url_patterns():
        fill = URL_PARAMS[name]
        objects = world["own"] if name in NOT_OBJECT_PARAMS else world[FOREIGN_AUTHORITY]
        url = reverse(name, kwargs={} if fill is NO_PARAMS else fill(objects))
        if name in QUERY_STRINGS:
            url += "?" + urlencode(QUERY_STRINGS[name](world))
        pages = []
        for renderer, client in clients.items():
            settings.FORM_RENDERER = renderer
            response = client.get(url)
            if response.status_code == 200 and not is_file(response) and not response.streaming:
                pages.append(CSRF.sub(b"", response.content))
        if len(pages) == 2 and b"<form" in pages[0]:
            assert pages[1] == pages[0], (url, first_difference(pages[0], pages[1]))
            compared += 1
    assert compared > 60  # the forms and the lists' filters
