"""A search field for a choice among a big table: a text input that suggests, a hidden input
that carries the chosen pk (static/js/autocomplete.js). The form field stays a
ModelChoiceField: the pk sent is validated against the field's scoped queryset, never trusted.
Without JavaScript the text input is inert and the hidden value is kept as it was rendered."""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse


class AutocompleteWidget(forms.Widget):
    template_name = "autocomplete/widget.html"  # grants/templates (app templates)

    def __init__(
        self,
        source,
        *,
        params=None,
        fixed=None,
        placeholder="Rechercher…",
        attrs=None,
    ):
        super().__init__(attrs)
        self.source = source  # the URL name of the JSON view
        self.params = params or {}  # extra query parameters (field name → other input's name)
        self.fixed = fixed or {}  # constant query parameters (e.g. the grant's year)
        self.placeholder = placeholder
        self.choices = []  # set by ModelChoiceField; only used to label the current value

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        copy.fixed = dict(self.fixed)
        return copy

    def id_for_label(self, id_):
        return id_  # the visible text input carries the field's id

    def format_value(self, value):
        if value in (None, ""):
            return ""
        return str(value.pk if hasattr(value, "pk") else value)

    def _label(self, value):
        """The current choice's text, read from the field's scoped queryset (one query)."""
        queryset = getattr(self.choices, "queryset", None)
        if not value or queryset is None:
            return ""
        try:
            instance = queryset.filter(pk=value).first()
        except (TypeError, ValueError):
            return ""
        if instance is None:
            return ""
        return self.choices.field.label_from_instance(instance)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = self.format_value(value)
        widget = context["widget"]
        widget["value"] = value
        widget["label"] = self._label(value)
        widget["url"] = reverse(self.source)
        if self.fixed:
            widget["url"] += "?" + urlencode(self.fixed)
        widget["params"] = " ".join(f"{k}={v}" for k, v in self.params.items())
        widget["placeholder"] = self.placeholder
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data
