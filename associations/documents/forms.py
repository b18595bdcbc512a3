from django import forms

from associations.documents.models import YEARLY_KINDS
from conventions.justificatifs.uploads import max_bytes, megabytes
from grants.fields import DateInput


class DocumentUploadForm(forms.Form):
    """One piece of « Mes documents »; its content is checked by the upload service."""

    file = forms.FileField(
        label="Fichier",
        error_messages={
            "required": "Choisissez le fichier à déposer.",
            "empty": "Le fichier est vide.",
            "invalid": "Aucun fichier n'a été reçu : choisissez-le à nouveau.",
        },
    )
    label = forms.CharField(label="Intitulé (facultatif)", max_length=200, required=False)
    year = forms.IntegerField(
        label="Exercice couvert",
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={"invalid": "Saisissez une année, par exemple 2025."},
    )
    valid_until = forms.DateField(
        label="Valable jusqu'au (facultatif)",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Saisissez une date valide."},
        help_text="Vide : valable tant qu'il n'est pas remplacé.",
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"PDF ou image PNG ou JPEG. Taille maximale : {megabytes(max_bytes())}. "
            "Le contenu du fichier est vérifié, quel que soit son nom."
        )
        if kind in YEARLY_KINDS:
            self.fields["year"].required = True
            self.fields["year"].help_text = "L'exercice que couvrent ces comptes ou ce rapport."
            self.fields["year"].error_messages["required"] = (
                "Indiquez l'exercice que couvre ce document (par exemple 2025)."
            )
        else:
            del self.fields["year"]
