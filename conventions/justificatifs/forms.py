from django import forms

from conventions.justificatifs.uploads import max_bytes, megabytes

# The file field of every upload whose content justificatifs/uploads.py inspects:
# justificatifs and the association's standing pieces (« Mes documents »).
UPLOAD_ERRORS = {
    "required": "Choisissez le fichier à déposer.",
    "empty": "Le fichier est vide.",
    "invalid": "Aucun fichier n'a été reçu : choisissez-le à nouveau.",
}


def upload_help(formats):
    """What the person may upload, in French: `formats` as `allowed_label` words them."""
    return (
        f"Formats acceptés : {formats}. Taille maximale : {megabytes(max_bytes())}. "
        "Le contenu du fichier est vérifié, quel que soit son nom."
    )


class JustificatifUploadForm(forms.Form):
    """One file; its content is checked by the upload service (justificatifs/uploads.py)."""

    file = forms.FileField(label="Fichier", error_messages=UPLOAD_ERRORS)

    year = forms.TypedChoiceField(label="Exercice justifié", coerce=int, choices=())

    def __init__(self, *args, formats, years=None, **kwargs):
        super().__init__(*args, **kwargs)
        if years and len(years) > 1:
            self.fields["year"].choices = [(year, str(year)) for year in years]
            self.fields[
                "year"
            ].help_text = "Une convention pluriannuelle se justifie année par année."
        else:
            del self.fields["year"]
        self.fields["file"].help_text = upload_help(formats)


class ReviewForm(forms.Form):
    ACCEPT, REJECT = "accepter", "refuser"

    decision = forms.ChoiceField(
        label="Décision",
        choices=[(ACCEPT, "Accepter la pièce"), (REJECT, "Refuser la pièce")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez d'accepter ou de refuser la pièce."},
    )
    reason = forms.CharField(
        label="Motif du refus",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire en cas de refus : l'association le lit pour corriger sa pièce.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and len((data.get("reason") or "").strip()) < 5:
            self.add_error(
                "reason",
                "Indiquez le motif du refus : l'association le lit pour corriger sa pièce.",
            )
        return data
