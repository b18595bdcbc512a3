import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from associations.models import Association
from deliberations import actes, services
from deliberations.models import Attendance, Body, Decision, Deliberation, Member, Session
from grants.autocomplete.widgets import AutocompleteWidget
from grants.fields import AmountField, DateInput
from grants.models import Authority, Grant
from grants.validators import with_plausible_dates


def session_label(session):
    return f"{session.body.name} du {session.date:%d/%m/%Y}"


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ["kind", "name"]

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authority is not None:
            self.instance.authority = authority


class PlatformBodyForm(BodyForm):
    """A platform administrator also chooses the authority."""

    authority = forms.ModelChoiceField(label="Collectivité", queryset=Authority.objects.all())

    class Meta(BodyForm.Meta):
        fields = ["authority", *BodyForm.Meta.fields]


@with_plausible_dates
class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["civility", "first_name", "last_name", "mandate_start", "mandate_end"]
        widgets = {"mandate_start": DateInput(), "mandate_end": DateInput()}

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip().upper()


_CIVILITIES = {"m.": "M.", "m": "M.", "monsieur": "M.", "mme": "Mme", "madame": "Mme"}


def parse_member_line(line):
    """« Mme Sylvie FAYOLLE » → ("Mme", "Sylvie", "FAYOLLE"); None when it cannot be read.

    The last name is the run of words in capitals at the end (DA SILVA, GONZALEZ GRAIL).
    """
    words = line.replace(",", " ").split()
    if len(words) < 3 or words[0].casefold() not in _CIVILITIES:
        return None
    civility, words = _CIVILITIES[words[0].casefold()], words[1:]
    split = len(words)
    while split > 0 and words[split - 1].isupper():
        split -= 1
    if split == 0 or split == len(words):
        return None
    return civility, " ".join(words[:split]), " ".join(words[split:])


@with_plausible_dates
class MemberBulkForm(forms.Form):
    """Add many members at once, one per line, as the register prints them."""

    mandate_start = forms.DateField(label="Début du mandat", widget=DateInput())
    lines = forms.CharField(
        label="Membres",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Un membre par ligne : civilité, prénom, NOM en capitales. "
        "Ex. « Mme Sylvie FAYOLLE », « M. Jean-Alain BARRIER ».",
    )

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body

    def clean(self):
        cleaned = super().clean()
        members, errors = [], []
        for number, line in enumerate((cleaned.get("lines") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parsed = parse_member_line(line)
            if parsed is None:
                errors.append(
                    f"Ligne {number} (« {line.strip()} ») : écrivez la civilité (M. ou Mme), le "
                    "prénom puis le NOM en capitales."
                )
            else:
                members.append(parsed)
        if errors:
            raise ValidationError(errors)
        if not members and "lines" in cleaned:
            raise ValidationError("Indiquez au moins un membre.")
        cleaned["members"] = members
        return cleaned


@with_plausible_dates
class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["body", "date", "convocation_date", "second_convocation"]
        widgets = {"date": DateInput(), "convocation_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.visible_to(user).select_related("authority")
        if user.is_platform_admin:
            self.fields["body"].label_from_instance = lambda b: f"{b.name} — {b.authority.name}"
        if self.instance.pk and self.instance.attendances.exists():
            self.fields["body"].disabled = True
            self.fields[
                "body"
            ].help_text = "Les présences sont saisies : l'instance ne peut plus être changée."


class AttendanceForm(forms.Form):
    """The attendance of every member in office, one row per member."""

    presiding = forms.TypedChoiceField(label="Président de séance", coerce=int)
    presiding_title = forms.CharField(
        label="Qualité du président de séance",
        max_length=100,
        required=False,
        help_text="Imprimée au-dessus de sa signature, ex. « La Première Vice-Présidente ». "
        "Vide : « Le Président de séance » ou « La Présidente de séance ».",
    )
    secretary = forms.TypedChoiceField(label="Secrétaire de séance", coerce=int)

    def __init__(self, *args, session, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.members = members
        existing = {a.member_id: a for a in session.attendances.all()}
        choices = [(m.pk, str(m)) for m in members]
        for name in ("presiding", "secretary"):
            self.fields[name].choices = [("", "— Choisir —"), *choices]
        self.fields["presiding"].initial = session.presiding_id
        self.fields["secretary"].initial = session.secretary_id
        self.fields["presiding_title"].initial = session.presiding_title
        for member in members:
            record = existing.get(member.pk)
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=f"Présence de {member}",
                choices=Attendance.Status.choices,
                initial=record.status if record else Attendance.Status.PRESENT,
            )
            self.fields[f"proxy_{member.pk}"] = forms.TypedChoiceField(
                label=f"Pouvoir donné par {member} à",
                choices=[("", "—"), *[c for c in choices if c[0] != member.pk]],
                coerce=int,
                empty_value=None,
                required=False,
                initial=record.proxy_holder_id if record else None,
            )

    @cached_property
    def rows(self):
        """One row per member. The 68 × 67 proxy options are built as HTML once and reused:
        rendering them through widget templates takes more than a second."""
        options = "".join(
            format_html('<option value="{}">{}</option>', m.pk, str(m)) for m in self.members
        )
        status_options = "".join(
            format_html('<option value="{}">{}</option>', value, label)
            for value, label in Attendance.Status.choices
        )
        rows = []
        for member in self.members:
            status, proxy = self[f"status_{member.pk}"], self[f"proxy_{member.pk}"]
            own = f'<option value="{member.pk}">'
            member_options = options.replace(own + escape(str(member)) + "</option>", "")
            rows.append(
                {
                    "member": member,
                    "status": status,
                    "proxy": proxy,
                    "status_options": _selected(status_options, status.value()),
                    "proxy_options": _selected(member_options, proxy.value()),
                }
            )
        return rows

    def entries(self):
        cleaned = self.cleaned_data
        return {
            m.pk: (cleaned.get(f"status_{m.pk}"), cleaned.get(f"proxy_{m.pk}"))
            for m in self.members
        }

    def clean(self):
        cleaned = super().clean()
        entries = self.entries()
        errors = services.attendance_errors(
            members=self.members,
            entries=entries,
            presiding_id=cleaned.get("presiding"),
            secretary_id=cleaned.get("secretary"),
            session=self.session,
        )
        for key, message in errors:
            if key is None or key in ("presiding", "secretary"):
                if key is None or key in self.fields:
                    self.add_error(key, message)
                continue
            status = entries.get(key, (None, None))[0]
            field = f"proxy_{key}" if status == Attendance.Status.REPRESENTED else f"status_{key}"
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


def _selected(options_html, value):
    if value in (None, ""):
        return mark_safe(options_html)  # noqa: S308 - built with format_html
    option = f'<option value="{value}">'
    return mark_safe(options_html.replace(option, f'<option value="{value}" selected>', 1))  # noqa: S308


_NUMBER = re.compile(r"^(\d{4})\.(\d+)$")


def next_number(authority, year):
    """The number after the authority's last one of the year: 2024.00344 → 2024.00345."""
    numbers = Deliberation.objects.filter(
        authority=authority, number__startswith=f"{year}."
    ).values_list("number", flat=True)
    best = None
    for number in numbers:
        match = _NUMBER.match(number)
        if match and (best is None or int(match[2]) > int(best[2])):
            best = match
    if best is None:
        return f"{year}.00001"
    return f"{year}.{int(best[2]) + 1:0{len(best[2])}d}"


class DeliberationForm(forms.ModelForm):
    class Meta:
        model = Deliberation
        fields = [
            "number",
            "session",
            "thematic",
            "title",
            "statement",
            "votes_for",
            "votes_against",
            "abstentions",
            "not_participating",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "statement": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "number": "Unique pour la collectivité, ex. 2024.00344.",
            "session": "Vide tant que la délibération n'est pas inscrite à une séance.",
            "votes_for": "Vide tant que le vote n'a pas eu lieu.",
        }

    def __init__(self, *args, user, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.authority = authority or (
            self.instance.authority if self.instance.authority_id else None
        )
        sessions = Session.objects.visible_to(user).select_related("body").order_by("-date")
        if self.authority is not None:
            sessions = sessions.filter(body__authority=self.authority)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = session_label
        self.fields["session"].empty_label = "— Pas encore de séance (brouillon) —"
        for name in ("votes_against", "abstentions", "not_participating"):
            self.fields[name].required = False
        self.fields["thematic"].widget.attrs["list"] = "thematiques"
        thematics = Deliberation.objects.visible_to(user).exclude(thematic="")
        if self.authority is not None:
            thematics = thematics.filter(authority=self.authority)
        self.thematics = sorted(set(thematics.values_list("thematic", flat=True)))
        if not self.instance.pk and self.authority is not None:
            year = timezone.localdate().year
            self.initial.setdefault("number", "")
            self.initial["number"] = self.initial["number"] or next_number(self.authority, year)

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_votes_against(self):
        return self.cleaned_data.get("votes_against") or 0

    def clean_abstentions(self):
        return self.cleaned_data.get("abstentions") or 0

    def clean_not_participating(self):
        return self.cleaned_data.get("not_participating") or 0

    def clean(self):
        cleaned = super().clean()
        session = cleaned.get("session")
        authority = self.authority or (session.body.authority if session else None)
        if authority is None:
            self.add_error(
                "session", "Choisissez la séance : elle détermine la collectivité concernée."
            )
            return cleaned
        self.instance.authority = authority
        if session is not None and session.body.authority_id != authority.pk:
            self.add_error("session", "Cette séance est celle d'une autre collectivité.")
        number = cleaned.get("number")
        duplicate = Deliberation.objects.filter(authority=authority, number=number).exclude(
            pk=self.instance.pk
        )
        if number and duplicate.exists():
            self.add_error("number", f"La délibération n° {number} existe déjà.")
        self._clean_vote(cleaned, session)
        return cleaned

    def _clean_vote(self, cleaned, session):
        votes_for = cleaned.get("votes_for")
        others = [
            cleaned.get(n) or 0 for n in ("votes_against", "abstentions", "not_participating")
        ]
        if votes_for is None:
            if any(others):
                self.add_error("votes_for", "Indiquez le nombre de voix pour (0 le cas échéant).")
            return
        if session is None:
            self.add_error("session", "Indiquez la séance au cours de laquelle le vote a eu lieu.")
            return
        if session.date > timezone.localdate():
            self.add_error(
                "votes_for",
                f"La séance du {session.date:%d/%m/%Y} n'a pas encore eu lieu : le vote sera "
                "saisi ensuite.",
            )
            return
        summary = Session.objects.select_related("body").get(pk=session.pk).attendance
        if not summary.complete:
            self.add_error(
                "session",
                "Saisissez d'abord les présences de cette séance : les voix disponibles en "
                "dépendent.",
            )
            return
        total = votes_for + sum(others)
        if total > summary.votes_count:
            self.add_error(
                "votes_for",
                f"{total} votes saisis pour {summary.votes_count} voix disponibles en séance "
                f"({summary.present_count} présents + {summary.proxies_count} pouvoirs).",
            )
        if not summary.can_adopt:
            self.add_error(
                "session",
                f"La séance du {session.date:%d/%m/%Y} n'a pas atteint le quorum "
                f"({summary.present_count} présents sur {summary.in_office_count} membres en "
                f"exercice, il en faut au moins {summary.quorum_threshold}) : elle ne peut pas "
                "délibérer, sauf si elle s'est tenue sur seconde convocation (CGCT L.2121-17).",
            )


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": "Texte de l'article"}


class BaseDecisionFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Ordre"
        form.fields["DELETE"].label = "Supprimer cet article"

    def get_queryset(self):
        return super().get_queryset().order_by("position", "pk")

    @property
    def kept_count(self):
        return len(self.ordered_forms)


DecisionFormSet = inlineformset_factory(
    Deliberation,
    Decision,
    form=DecisionForm,
    formset=BaseDecisionFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
)


class GrantForm(forms.ModelForm):
    amount = AmountField(label="Montant (€)", help_text="Ex. 62 500 ou 62 500,00.")

    class Meta:
        model = Grant
        fields = ["association", "year", "amount", "nature", "object", "budget_imputation"]
        widgets = {
            "association": AutocompleteWidget("autocomplete_associations"),
            "object": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, associations=None, default_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = associations
        if default_year and not self.instance.pk:
            self.fields["year"].initial = default_year

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise ValidationError("Le montant d'une subvention est positif.")
        return amount


class BaseGrantFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Supprimer cette subvention"

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            grant = form.instance
            if grant.pk and (reference := services.grant_reference(grant)):
                form.add_error(
                    None,
                    f"La subvention à {grant.association} ne peut pas être supprimée : une "
                    f"{reference} y est rattachée.",
                )
                raise ValidationError("Une subvention liée ne peut pas être supprimée.")


GrantFormSet = inlineformset_factory(
    Deliberation,
    Grant,
    form=GrantForm,
    formset=BaseGrantFormSet,
    extra=1,
    can_delete=True,
)


def associations_for(user, authority):
    associations = Association.objects.visible_to(user).order_by("name")
    if authority is not None:
        associations = associations.filter(authority=authority)
    return associations


@with_plausible_dates
class TransmissionForm(forms.ModelForm):
    class Meta:
        model = Deliberation
        fields = [
            "prefecture_received_on",
            "transmission_platform",
            "actes_identifier",
            "published_on",
        ]
        widgets = {"prefecture_received_on": DateInput(), "published_on": DateInput()}
        help_texts = {
            "actes_identifier": "Tel que l'accusé de réception l'imprime, ex. "
            "99_DE-042-244200770-20240613-D20240034410 ; son SIREN, sa date et son "
            "département sont vérifiés.",
            "published_on": "Date de publication sous forme électronique (CGCT L.2131-1).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.transmission_platform:
            previous = (
                Deliberation.objects.filter(authority=self.instance.authority_id)
                .exclude(transmission_platform="")
                .order_by("-prefecture_received_on")
                .values_list("transmission_platform", flat=True)
                .first()
            )
            self.fields["transmission_platform"].initial = previous

    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned.get(name) for name in self.Meta.fields if name in cleaned}
        for field, messages in services.transmission_errors(self.instance, **fields).items():
            for message in messages:
                self.add_error(field, message)
        identifier = cleaned.get("actes_identifier")
        if identifier and "actes_identifier" not in self.errors:
            cleaned["actes_identifier"] = actes.normalize(identifier)
            taken = Deliberation.objects.filter(
                authority=self.instance.authority_id, actes_identifier=cleaned["actes_identifier"]
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "actes_identifier", "Cet identifiant @ctes est celui d'une autre délibération."
                )
        return cleaned


class DeleteConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="Je confirme la suppression définitive", required=True)
