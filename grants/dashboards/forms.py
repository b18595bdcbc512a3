"""The dashboards' selector: authority (platform administrators only), year, years compared,
and the amount the charts draw. A wrong value is reported in French and replaced by the
default, so the page always answers."""

from django import forms
from django.http import QueryDict
from django.utils import timezone

from grants.dashboards import selectors
from grants.dashboards.selectors import MEASURES, SPANS


class DashboardForm(forms.Form):
    collectivite = forms.ModelChoiceField(
        label="Collectivité", queryset=None, required=False, empty_label=None
    )
    exercice = forms.TypedChoiceField(label="Exercice", coerce=int, required=False)
    annees = forms.TypedChoiceField(
        label="Comparer sur",
        coerce=int,
        required=False,
        choices=[(span, f"{span} ans") for span in SPANS],
    )
    mesure = forms.ChoiceField(label="Montant des graphiques", choices=MEASURES, required=False)


class Selection:
    """The authority, year, compared years and measure chosen, with the form to show."""

    def __init__(self, user, data, *, with_measure=True, with_span=True):
        self.user = user
        authorities = user.visible_authorities()
        self.show_authority = user.is_platform_admin
        form = DashboardForm()
        form.fields["collectivite"].queryset = authorities
        if not with_measure:
            del form.fields["mesure"]
        if not with_span:
            del form.fields["annees"]
        self.errors = []
        self.authority = self._authority(form, data, authorities)
        first, last = (
            selectors.year_bounds(user, self.authority) if self.authority else (None, None)
        )
        this_year = timezone.localdate().year
        default_year = last or this_year
        first = min(first or default_year, default_year)
        last = max(last or default_year, this_year)
        form.fields["exercice"].choices = [(y, str(y)) for y in range(last, first - 1, -1)]
        self.year = self._choice(form, data, "exercice", default_year, int)
        self.span = (
            self._choice(form, data, "annees", selectors.DEFAULT_SPAN, int)
            if with_span
            else selectors.DEFAULT_SPAN
        )
        self.measure = self._choice(form, data, "mesure", "voted", str) if with_measure else "voted"
        if not self.show_authority:
            del form.fields["collectivite"]
        self.form = form
        self.years = selectors.compared_years(self.year, self.span)

    def _authority(self, form, data, authorities):
        wanted = (data or {}).get("collectivite")
        if wanted and self.show_authority:
            field = form.fields["collectivite"]
            try:
                return field.clean(wanted)
            except forms.ValidationError:
                self.errors.append("Cette collectivité n'existe pas : choisissez-la dans la liste.")
        if self.user.authority_id:
            return authorities.filter(pk=self.user.authority_id).first()
        return authorities.first()

    def _choice(self, form, data, name, default, kind):
        raw = (data or {}).get(name)
        form.fields[name].initial = default
        if raw in (None, ""):
            return default
        field = form.fields[name]
        try:
            value = field.clean(raw)
        except forms.ValidationError:
            self.errors.append(
                f"« {raw} » n'est pas un choix possible pour « {field.label} » : "
                f"la valeur par défaut est affichée."
            )
            return default
        value = kind(value)
        field.initial = value
        return value

    def query(self, *, span=True, **extra):
        """The query string of this selection (for the exports and the annex links)."""
        query = QueryDict(mutable=True)
        if self.show_authority and self.authority:
            query["collectivite"] = self.authority.pk
        query["exercice"] = self.year
        if span:
            query["annees"] = self.span
        for key, value in extra.items():
            query[key] = value
        return query.urlencode()
