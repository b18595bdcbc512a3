"""Forms of the indicator pages: the report entry form, set and indicator definitions."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from associations.indicators.checks import Entry, check_entries
from associations.indicators.models import Indicator, IndicatorSet
from associations.models import StructureType
from grants.fields import parse_amount
from grants.templatetags.fr import format_amount

MAX_VALUE = Decimal("1000000000000")  # the columns hold 12 digits before the decimal mark

# -- Report entry --------------------------------------------------------------------------


class ValueInput(forms.TextInput):
    """A text box for French numbers (a number input would refuse '1 234,5')."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "class": "indicator-input"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, Decimal):
            return format_amount(value, 0 if value == value.to_integral_value() else 2)
        return str(value)


class ValueField(forms.Field):
    widget = ValueInput

    def to_python(self, value):
        text = "" if value is None else str(value).replace("%", "")
        typed = str(value).strip()
        try:
            number = parse_amount(text, limit=MAX_VALUE)
        except ValueError as error:
            if "décimales" in str(error):
                message = f"« {typed} » : au plus deux décimales."
            elif "trop élevé" in str(error):
                message = f"« {typed} » : valeur trop grande."
            else:
                message = f"« {typed} » n'est pas un nombre : tapez par exemple 1 234 ou 12,5."
            raise ValidationError(message, code="invalid") from None
        if number is not None and abs(number) >= MAX_VALUE:
            raise ValidationError(f"« {typed} » : valeur trop grande.", code="too_large")
        return number


FIELD_PARTS = ("women", "men", "total", "text", "comment")


def field_name(indicator, part):
    return f"i{indicator.pk}-{part}"


class ReportForm(forms.Form):
    """One row of fields per indicator of the set; checked with `check_entries`."""

    comment = forms.CharField(
        label="Commentaire général",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sources, périmètre retenu, précisions utiles à la collectivité.",
    )

    def __init__(self, *args, indicators, entries=None, comment="", **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        entries = entries or {}
        self.fields["comment"].initial = comment
        for indicator in self.indicators:
            self._add_fields(indicator, entries.get(indicator.pk, Entry()))

    def _add_fields(self, indicator, entry):
        label = indicator.label
        if indicator.is_numeric:
            self.fields[field_name(indicator, "total")] = ValueField(
                label=f"{label} — total" if indicator.is_gendered else label,
                required=False,
                initial=entry.total,
            )
            if indicator.is_gendered:
                self.fields[field_name(indicator, "women")] = ValueField(
                    label=f"{label} — femmes", required=False, initial=entry.women
                )
                self.fields[field_name(indicator, "men")] = ValueField(
                    label=f"{label} — hommes", required=False, initial=entry.men
                )
        else:
            self.fields[field_name(indicator, "text")] = forms.CharField(
                label=label,
                required=False,
                initial=entry.text,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields[field_name(indicator, "comment")] = forms.CharField(
            label=f"Commentaire — {label}",
            required=False,
            max_length=500,
            initial=entry.comment,
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned  # parse errors first; the arithmetic is checked once they are fixed
        self.entries, problems = check_entries(self.indicators, self._typed_entries(cleaned))
        for problem in problems:
            name = field_name_for(problem)
            if name in self.fields:
                self.add_error(name, problem.message)
            else:
                self.add_error(None, problem.message)
        return cleaned

    def _typed_entries(self, cleaned):
        entries = {}
        for indicator in self.indicators:
            values = {part: cleaned.get(field_name(indicator, part)) for part in FIELD_PARTS}
            entries[indicator.pk] = Entry(
                total=values["total"],
                women=values["women"],
                men=values["men"],
                text=values["text"] or "",
                comment=values["comment"] or "",
            )
        return entries

    def rows(self):
        """The form as table rows: rubric headings, depth, the bound fields of each line."""
        depth = indicator_depths(self.indicators)
        by_pk = {indicator.pk: indicator for indicator in self.indicators}
        rows, group, previous = [], None, None
        for indicator in self.indicators:
            fields = {
                part: self[field_name(indicator, part)]
                for part in FIELD_PARTS
                if field_name(indicator, part) in self.fields
            }
            errors = [e for f in fields.values() for e in f.errors]
            for bound in fields.values():
                if bound.errors:
                    bound.field.widget.attrs["aria-invalid"] = "true"
                if errors:  # every input of the line points to the line's messages
                    bound.field.widget.attrs["aria-describedby"] = f"errors-{indicator.pk}"
            heading = indicator.group if indicator.group and indicator.group != group else ""
            group = indicator.group or group
            parent = by_pk.get(indicator.parent_id)
            rows.append(
                {
                    "indicator": indicator,
                    "heading": heading,
                    "depth": depth[indicator.pk],
                    "fields": fields,
                    "errors": errors,
                    # Name the parent when it is not the line just above (nor its sibling).
                    "parent": parent
                    if parent is not None
                    and previous is not None
                    and previous.pk != parent.pk
                    and previous.parent_id != parent.pk
                    else None,
                }
            )
            previous = indicator
        return rows


def field_name_for(problem):
    return f"i{problem.indicator_id}-{problem.field}" if problem.indicator_id else None


def indicator_depths(indicators):
    parents = {indicator.pk: indicator.parent_id for indicator in indicators}
    depths = {}
    for pk in parents:
        depth, node, seen = 0, parents[pk], set()
        while node is not None and node not in seen:
            seen.add(node)
            depth += 1
            node = parents.get(node)
        depths[pk] = min(depth, 3)
    return depths


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la réouverture",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="L'association le voit en tête de son rapport.",
    )


# -- Definitions ---------------------------------------------------------------------------


class IndicatorSetForm(forms.ModelForm):
    class Meta:
        model = IndicatorSet
        fields = ["authority", "structure_type", "year", "title", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_platform_admin:
            self.fields["authority"].empty_label = "Choisissez une collectivité"
        else:
            del self.fields["authority"]
            self.instance.authority_id = user.authority_id
        self.fields["structure_type"].empty_label = "Choisissez un type"

    def clean(self):
        cleaned = super().clean()
        authority_id = (
            cleaned["authority"].pk if cleaned.get("authority") else self.instance.authority_id
        )
        structure_type, year = cleaned.get("structure_type"), cleaned.get("year")
        if authority_id and structure_type and year:
            others = IndicatorSet.objects.filter(
                authority_id=authority_id, structure_type=structure_type, year=year
            ).exclude(pk=self.instance.pk)
            if others.exists():
                raise ValidationError(
                    f"Un jeu d'indicateurs existe déjà pour « {structure_type} » en {year}."
                )
        return cleaned


class IndicatorSetCopyForm(forms.Form):
    year = forms.IntegerField(label="Année du nouveau jeu", min_value=2000, max_value=2100)
    structure_type = forms.ModelChoiceField(
        label="Type de structure",
        queryset=StructureType.objects.all(),
        empty_label=None,
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["year"].initial = source.year + 1
        self.fields["structure_type"].initial = source.structure_type_id

    def clean(self):
        cleaned = super().clean()
        year, structure_type = cleaned.get("year"), cleaned.get("structure_type")
        if (
            year
            and structure_type
            and IndicatorSet.objects.filter(
                authority_id=self.source.authority_id, structure_type=structure_type, year=year
            ).exists()
        ):
            raise ValidationError(
                f"Un jeu d'indicateurs existe déjà pour « {structure_type} » en {year}."
            )
        return cleaned


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "label",
            "group",
            "help_text",
            "unit",
            "is_gendered",
            "parent",
            "children_rule",
            "is_required",
            "position",
            "code",
        ]

    def __init__(self, *args, indicator_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator_set = indicator_set
        parents = indicator_set.indicators.exclude(unit=Indicator.Unit.TEXT)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("position", "pk")
        self.fields["parent"].empty_label = "Aucun (indicateur principal)"
        self.fields["code"].required = False
        self.fields["code"].help_text += " Laissé vide, il est tiré de l'intitulé."
        self.fields["position"].help_text = "Les lignes sont affichées par ordre croissant."

    def clean_code(self):
        label = re.sub(r"['’]", " ", self.cleaned_data.get("label", ""))
        code = self.cleaned_data.get("code") or slugify(label)
        code = code.replace("-", "_")[:60].strip("_")
        if not code:
            raise ValidationError("Indiquez un code (lettres, chiffres, tirets bas).")
        return code
