from django import forms


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
