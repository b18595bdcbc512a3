import os

from django import forms

from grants.opendata import scdl
from grants.opendata.imports import (
    BENEFICIARY_ID_COLUMNS,
    REQUIRED_COLUMNS,
    format_megabytes,
    max_bytes,
)

EXTENSIONS = {".csv", ".txt", ".xlsx"}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier des subventions passées",
        help_text=(
            "Fichier SCDL « subventions », CSV (séparateur « , » ou « ; », UTF-8 ou Windows-1252) "
            "ou classeur .xlsx. Rien n'est importé avant que vous ayez vu l'analyse."
        ),
    )
    create_authorities = forms.BooleanField(
        label="Créer les collectivités attribuantes inconnues (idAttribuant)", required=False
    )

    def __init__(self, *args, allow_create_authorities=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_create_authorities:
            del self.fields["create_authorities"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        extension = os.path.splitext(uploaded.name)[1].lower()
        if extension not in EXTENSIONS:
            raise forms.ValidationError(
                "Déposez un fichier .csv ou .xlsx (les classeurs .xls et .ods s'enregistrent en "
                ".xlsx ou en CSV depuis le tableur)."
            )
        if uploaded.size > max_bytes():
            raise forms.ValidationError(
                f"Le fichier pèse {format_megabytes(uploaded.size)} : la limite est de "
                f"{format_megabytes(max_bytes())}. Découpez-le (par exemple par année)."
            )
        if uploaded.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return uploaded


class ColumnMappingForm(forms.Form):
    """For each SCDL column, the header of the file that holds it (or none)."""

    def __init__(self, *args, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— aucune —")] + [(h, h) for h in headers]
        needed = {*REQUIRED_COLUMNS, *BENEFICIARY_ID_COLUMNS}
        for column in [*scdl.COLUMNS, scdl.YEAR_COLUMN]:
            self.fields[column] = forms.ChoiceField(
                label=f"{scdl.LABELS[column]} ({column})"
                + (" — requise" if column in needed else ""),
                choices=choices,
                required=False,
                initial=initial_mapping.get(column, ""),
            )

    def mapping(self):
        return {column: value for column, value in self.cleaned_data.items() if value}
