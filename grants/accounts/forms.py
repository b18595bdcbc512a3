from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from associations.forms import IdentifierField
from associations.models import Association
from grants.models import Role, User
from grants.validators import validate_rna, validate_siren


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique du gestionnaire")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)


class StaffCreateForm(forms.Form):
    username = forms.CharField(label="Identifiant", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    email = forms.EmailField(
        label="Adresse électronique", help_text="Le lien pour choisir le mot de passe y est envoyé."
    )
    role = forms.ChoiceField(label="Rôle", choices=[])

    def __init__(self, *args, **kwargs):
        from grants.accounts.staff import STAFF_ROLE_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = STAFF_ROLE_CHOICES


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=[])

    def __init__(self, *args, **kwargs):
        from grants.accounts.staff import STAFF_ROLE_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = STAFF_ROLE_CHOICES


# ---- self-service accounts of associations --------------------------------------------------


class SignupForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Elle sera votre identifiant ; le lien de confirmation y est envoyé.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 8 caractères, pas uniquement des chiffres, ni trop courant ni trop "
        "proche de votre nom ou de votre adresse.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Par sécurité, les mots de passe sont à saisir de nouveau après une erreur.",
    )

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password1:
            candidate = User(
                username=(data.get("email") or "").lower(), email=data.get("email") or "",
                first_name=data.get("first_name") or "", last_name=data.get("last_name") or "",
                role=Role.MANAGER,
            )  # fmt: skip
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class SignupResendForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l'inscription",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _identifier_field(label, max_length, help_text):
    return IdentifierField(label=label, max_length=max_length, required=False, help_text=help_text)


class AttachForm(forms.Form):
    """The association's SIREN or RNA (at least one), checked."""

    siren = _identifier_field(
        "SIREN", 9, "9 chiffres, espaces acceptés (sur l'avis de situation INSEE)."
    )
    rna = _identifier_field(
        "Numéro RNA", 10, "W suivi de 9 chiffres (sur le récépissé de la préfecture)."
    )

    def clean_siren(self):
        value = self.cleaned_data["siren"]
        if value:
            validate_siren(value)
        return value

    def clean_rna(self):
        value = self.cleaned_data["rna"]
        if value:
            validate_rna(value)
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("siren") or data.get("rna")):
            raise forms.ValidationError(
                "Indiquez le SIREN ou le numéro RNA de l'association (au moins l'un des deux)."
            )
        return data


class AssociationCreateForm(forms.ModelForm):
    """What a manager types to create an association the authority does not know yet."""

    class Meta:
        model = Association
        fields = [
            "name", "acronym", "siren", "siret", "rna", "structure_type", "address",
            "postal_code", "city", "email", "phone", "representative_civility",
            "representative_name", "representative_title",
        ]  # fmt: skip
        help_texts = {
            "siren": "9 chiffres, espaces acceptés.",
            "siret": "14 chiffres : le SIREN suivi du NIC du siège.",
            "rna": "W suivi de 9 chiffres.",
        }

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, length in (("siren", 9), ("siret", 14), ("rna", 10)):
            field = self.fields[name]
            self.fields[name] = IdentifierField(
                label=field.label, max_length=length, required=False,
                help_text=field.help_text, validators=field.validators,
            )  # fmt: skip
        for name in ("address", "postal_code", "city", "email", "representative_name"):
            self.fields[name].required = True
        self.fields["structure_type"].empty_label = "— choisir —"
        if authority is not None:
            self.instance.authority = authority

    def _get_validation_exclusions(self):
        # The authority is set by the view: keep the per-authority unique checks.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("authority")
        return exclusions

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("siren") or data.get("siret") or data.get("rna")):
            raise forms.ValidationError(
                "Indiquez le SIREN, le SIRET ou le numéro RNA de l'association."
            )
        return data


class RefuseAccessForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il est transmis au demandeur, par notification et par courriel.",
    )
