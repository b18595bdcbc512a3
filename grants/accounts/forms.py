from django import forms


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique du gestionnaire")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
