from django import forms

from associations.documents.models import YEARLY_KINDS
from associations.documents.services import DOCUMENT_FORMATS
from conventions.justificatifs.forms import UPLOAD_ERRORS, upload_help
from conventions.justificatifs.uploads import allowed_label
from grants.fields import DateInput


class DocumentUploadForm(forms.Form):
    """One piece of « Mes documents »; its content is checked by the upload service."""

    file = forms.FileField(label="Fichier", error_messages=UPLOAD_ERRORS)
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
        self.fields["file"].help_text = upload_help(allowed_label(DOCUMENT_FORMATS))
        if kind in YEARLY_KINDS:
            self.fields["year"].required = True
            self.fields["year"].help_text = "L'exercice que couvrent ces comptes ou ce rapport."
            self.fields["year"].error_messages["required"] = (
                "Indiquez l'exercice que couvre ce document (par exemple 2025)."
            )
        else:
            del self.fields["year"]
