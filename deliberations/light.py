"""Light deliberations (saisie simplifiée) of authorities whose assemblies are run in another
tool: number, body, session date, subject, vote, prefecture acknowledgement and publication,
and the grants decided. No session nor attendance is recorded here; the @ctes identifier is
checked against the authority and the date, and the deliberation is executory once
transmitted and published (CGCT L.2131-1). Attaching a session later makes it a complete one.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import inlineformset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from deliberations import actes, services
from deliberations.forms import BaseGrantFormSet, GrantForm, associations_for, next_number
from deliberations.models import Body, Deliberation, Session
from grants.access import ensure_can_edit, instructor_required
from grants.fields import DateInput
from grants.models import Grant
from grants.requests.votes import requests_follow_vote

TRANSMISSION_FIELDS = ("prefecture_received_on", "actes_identifier", "published_on")
VOTE_FIELDS = ("votes_for", "votes_against", "abstentions")


class LightDeliberationForm(forms.ModelForm):
    class Meta:
        model = Deliberation
        fields = [
            "number",
            "body_name",
            "session_date",
            "title",
            "votes_for",
            "votes_against",
            "abstentions",
            "prefecture_received_on",
            "actes_identifier",
            "published_on",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "session_date": DateInput(),
            "prefecture_received_on": DateInput(),
            "published_on": DateInput(),
        }
        labels = {"title": "Objet de la délibération"}
        help_texts = {
            "number": "Tel que le registre de l'assemblée le porte, ex. 2024.00344.",
            "votes_for": "Vide tant que le vote n'a pas eu lieu.",
            "actes_identifier": "Tel que l'accusé de réception l'imprime, ex. "
            "99_DE-042-244200770-20240613-D20240034410 ; son SIREN, sa date et son département "
            "sont vérifiés.",
            "published_on": "Date de publication sous forme électronique (CGCT L.2131-1).",
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.instance.authority = authority
        self.instance.kind = Deliberation.Kind.LIGHT
        for name in ("body_name", "session_date"):
            self.fields[name].required = True
        for name in ("votes_against", "abstentions"):
            self.fields[name].required = False
        self.fields["body_name"].widget.attrs["list"] = "instances"
        self.bodies = list(
            Body.objects.filter(authority=authority).values_list("name", flat=True)
        ) or ["Conseil métropolitain", "Bureau métropolitain"]
        if not self.instance.pk and not self.initial.get("number"):
            self.initial["number"] = next_number(authority, timezone.localdate().year)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        duplicate = Deliberation.objects.filter(authority=self.authority, number=number).exclude(
            pk=self.instance.pk
        )
        if number and duplicate.exists():
            raise ValidationError(f"La délibération n° {number} existe déjà.")
        return number

    def clean_body_name(self):
        return self.cleaned_data["body_name"].strip()

    def clean_votes_against(self):
        return self.cleaned_data.get("votes_against") or 0

    def clean_abstentions(self):
        return self.cleaned_data.get("abstentions") or 0

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("session_date")
        votes_for = cleaned.get("votes_for")
        if date and date > timezone.localdate():
            self.add_error("session_date", "La séance ne peut pas être dans le futur.")
            return cleaned
        if votes_for is None and (cleaned.get("votes_against") or cleaned.get("abstentions")):
            self.add_error("votes_for", "Indiquez le nombre de voix pour (0 le cas échéant).")
        transmission = {name: cleaned.get(name) for name in TRANSMISSION_FIELDS}
        if not any(transmission.values()) or date is None:
            return cleaned
        # The same rules as the transmission of a complete deliberation, on the typed facts.
        probe = Deliberation(
            authority=self.authority,
            kind=Deliberation.Kind.LIGHT,
            session_date=date,
            body_name=cleaned.get("body_name") or "",
            votes_for=votes_for,
            votes_against=cleaned.get("votes_against") or 0,
            abstentions=cleaned.get("abstentions") or 0,
        )
        if votes_for is None:
            self.add_error(
                "votes_for", "Indiquez le vote : seule une délibération adoptée est transmise."
            )
            return cleaned
        for field, errors in services.transmission_errors(probe, **transmission).items():
            for message in errors:
                self.add_error(field if field in self.fields else None, message)
        identifier = cleaned.get("actes_identifier")
        if identifier and "actes_identifier" not in self.errors:
            cleaned["actes_identifier"] = actes.normalize(identifier)
            taken = Deliberation.objects.filter(
                authority=self.authority, actes_identifier=cleaned["actes_identifier"]
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "actes_identifier", "Cet identifiant @ctes est celui d'une autre délibération."
                )
        return cleaned


class LightGrantForm(GrantForm):
    class Meta(GrantForm.Meta):
        fields = [*GrantForm.Meta.fields, "specific_expense"]


LightGrantFormSet = inlineformset_factory(
    Deliberation,
    Grant,
    form=LightGrantForm,
    formset=BaseGrantFormSet,
    extra=1,
    can_delete=True,
)


@transaction.atomic
def light_deliberation_save(*, form, grants, user):
    """Save a light deliberation with the grants it decides; who typed the vote and the
    transmission is recorded."""
    deliberation = form.save(commit=False)
    ensure_can_edit(user, deliberation.authority_id)
    deliberation.kind = Deliberation.Kind.LIGHT
    now = timezone.now()
    if deliberation.pk is None:
        deliberation.created_by = user
    if any(name in form.changed_data for name in VOTE_FIELDS):
        deliberation.vote_recorded_by = user if deliberation.vote_recorded else None
        deliberation.vote_recorded_at = now if deliberation.vote_recorded else None
    if any(name in form.changed_data for name in TRANSMISSION_FIELDS):
        deliberation.transmission_recorded_by = user
        deliberation.transmission_recorded_at = now
    deliberation.save()
    services.save_grants(deliberation, grants, user=user)
    requests_follow_vote(deliberation, user)
    return deliberation


@transaction.atomic
def light_deliberation_complete(*, deliberation, session, user):
    """Attach the session where the body sat: the light deliberation becomes a complete one
    (its attendance, quorum and votes are then checked as for any other)."""
    ensure_can_edit(user, deliberation.authority_id)
    deliberation = Deliberation.objects.select_for_update(of=("self",)).get(pk=deliberation.pk)
    if not deliberation.is_light:
        raise ValidationError("Cette délibération est déjà complète.")
    if session.body.authority_id != deliberation.authority_id:
        raise ValidationError("Cette séance est celle d'une autre collectivité.")
    if session.date != deliberation.session_date:
        raise ValidationError(
            f"La séance choisie est du {session.date:%d/%m/%Y}, la délibération a été votée le "
            f"{deliberation.session_date:%d/%m/%Y}."
        )
    deliberation.kind = Deliberation.Kind.COMPLETE
    deliberation.session = session
    deliberation.body_name = ""
    deliberation.session_date = None
    deliberation.save()
    requests_follow_vote(deliberation, user)
    return deliberation


# ---- pages -----------------------------------------------------------------------------------


def _authority(request):
    authority = request.user.authority
    if authority is None:
        messages.error(
            request,
            "La saisie simplifiée se fait depuis un compte d'agent rattaché à une collectivité.",
        )
    return authority


def _form_page(request, deliberation, authority, title):
    data = request.POST if request.method == "POST" else None
    form = LightDeliberationForm(data, instance=deliberation, authority=authority)
    grants = LightGrantFormSet(
        data,
        instance=deliberation,
        prefix="subventions",
        form_kwargs={
            "associations": associations_for(request.user, authority),
            "default_year": (deliberation.session_date or timezone.localdate()).year,
        },
    )
    if request.method == "POST" and (form.is_valid() & grants.is_valid()):
        try:
            deliberation = light_deliberation_save(form=form, grants=grants, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"La délibération n° {deliberation.number} est enregistrée.")
            return redirect(deliberation)
    ctx = {
        "form": form,
        "grants": grants,
        "title": title,
        "deliberation": deliberation if deliberation.pk else None,
    }
    return render(request, "deliberations/light_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def light_create(request):
    authority = _authority(request)
    if authority is None:
        return redirect("deliberation_list")
    deliberation = Deliberation(authority=authority, kind=Deliberation.Kind.LIGHT)
    return _form_page(request, deliberation, authority, "Nouvelle délibération (saisie simplifiée)")


def _visible_light(request, pk):
    deliberation = get_object_or_404(
        Deliberation.objects.visible_to(request.user).select_related("authority"), pk=pk
    )
    ensure_can_edit(request.user, deliberation.authority_id)
    return deliberation


@instructor_required
@require_http_methods(["GET", "POST"])
def light_edit(request, pk):
    deliberation = _visible_light(request, pk)
    if not deliberation.is_light:
        return redirect("deliberation_edit", pk)
    title = f"Modifier la délibération n° {deliberation.number} (saisie simplifiée)"
    return _form_page(request, deliberation, deliberation.authority, title)


class CompleteForm(forms.Form):
    session = forms.ModelChoiceField(label="Séance", queryset=Session.objects.none())

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(
            body__authority_id=deliberation.authority_id, date=deliberation.session_date
        ).select_related("body")
        self.fields["session"].label_from_instance = lambda s: f"{s.body.name} du {s.date:%d/%m/%Y}"


@instructor_required
@require_http_methods(["GET", "POST"])
def light_complete(request, pk):
    deliberation = _visible_light(request, pk)
    if not deliberation.is_light:
        return redirect(deliberation)
    form = CompleteForm(request.POST or None, deliberation=deliberation)
    if request.method == "POST" and form.is_valid():
        try:
            light_deliberation_complete(
                deliberation=deliberation, session=form.cleaned_data["session"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "La délibération est rattachée à sa séance : ses présences et son vote sont "
                "désormais contrôlés.",
            )
            return redirect(deliberation)
    ctx = {"form": form, "deliberation": deliberation}
    return render(request, "deliberations/light_complete.html", ctx)
