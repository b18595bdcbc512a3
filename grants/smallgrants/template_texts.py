"""Default texts of the notification letter, of the arrêté attributif and of the refusal of a
request, used when the authority has not written its own (LetterTemplate). Markdown with
{{ placeholders }}; every figure comes from the data."""

import re

from django.core.exceptions import ValidationError

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")

PLACEHOLDERS = {
    "authority.name": "Nom de la collectivité",
    "authority.president_title": "Titre du président de la collectivité",
    "authority.president_name": "Nom du président de la collectivité",
    "association.name": "Nom de l'association",
    "association.representative": "Représentant légal de l'association",
    "amount": "Montant de la subvention en chiffres (ex. 8 000,00 €)",
    "amount_in_words": "Montant en toutes lettres (ex. huit mille euros)",
    "object": "Objet de la subvention",
    "year": "Exercice",
    "deliberation_number": "Numéro de la délibération",
    "deliberation_date": "Date de la séance qui a voté la subvention",
    "body_name": "Instance qui a délibéré (ex. Conseil métropolitain)",
    "financial_report_clause": "Phrase sur le compte rendu financier (vide si non affectée)",
    "reference": "Référence de la lettre",
}


# The refusal of a subsidy request: no grant, no deliberation of its own (a rejected one is
# named in the reason).
REFUSAL_PLACEHOLDERS = {
    "authority.name": "Nom de la collectivité",
    "authority.president_title": "Titre du président de la collectivité",
    "authority.president_name": "Nom du président de la collectivité",
    "association.name": "Nom de l'association",
    "association.representative": "Représentant légal de l'association",
    "request.reference": "Numéro de la demande (ex. DEM-2026-0001)",
    "request.title": "Intitulé de la demande",
    "request.submitted_on": "Date du dépôt de la demande",
    "scheme": "Dispositif d'aide",
    "campaign": "Campagne",
    "year": "Exercice",
    "amount_requested": "Montant demandé (ex. 15 000,00 €)",
    "reason": "Motif du refus, tel que l'agent l'a écrit",
    "date": "Date de la lettre",
}


def validate_placeholders(text, kind=None):
    known = REFUSAL_PLACEHOLDERS if kind == "refus" else PLACEHOLDERS
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(text) if name not in known})
    if unknown:
        raise ValidationError(
            "Champ(s) inconnu(s) : %(names)s.",
            params={"names": ", ".join("{{ " + n + " }}" for n in unknown)},
        )


NOTIFICATION = {
    "title": "Notification d'attribution de subvention",
    "body": (
        "Madame, Monsieur,\n\n"
        "J'ai le plaisir de vous informer que, par délibération n° {{ deliberation_number }} "
        "du {{ deliberation_date }}, le {{ body_name }} de {{ authority.name }} a attribué à "
        "{{ association.name }} une subvention de **{{ amount }}** ({{ amount_in_words }}) au "
        "titre de l'exercice {{ year }}, pour l'objet suivant : {{ object }}.\n\n"
        "Cette subvention, d'un montant inférieur ou égal à 23 000 €, ne donne pas lieu à une "
        "convention (décret n° 2001-495 du 6 juin 2001)."
    ),
    "conditions": (
        "- La subvention est versée en une seule fois (versement unique), une fois la "
        "délibération exécutoire, sur le compte bancaire de l'association.\n"
        "- Elle est employée conformément à l'objet pour lequel elle a été attribuée ; tout "
        "emploi non conforme entraîne son reversement.\n"
        "- {{ financial_report_clause }}\n\n"
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."
    ),
    "signatory_title": "Par délégation",
}

ARRETE = {
    "title": "Arrêté attributif de subvention",
    "body": (
        "Le Président de {{ authority.name }},\n\n"
        "Vu la loi n° 2000-321 du 12 avril 2000, notamment son article 10 ;\n\n"
        "Vu le décret n° 2001-495 du 6 juin 2001 ;\n\n"
        "Vu la délibération n° {{ deliberation_number }} du {{ deliberation_date }} du "
        "{{ body_name }} portant délégation et attribution de subventions ;\n\n"
        "**ARRÊTE**\n\n"
        "**Article 1** : une subvention de **{{ amount }}** ({{ amount_in_words }}) est attribuée "
        "à {{ association.name }} au titre de l'exercice {{ year }}, pour l'objet suivant : "
        "{{ object }}."
    ),
    "conditions": (
        "**Article 2** : la subvention est versée en une seule fois, une fois le présent acte "
        "exécutoire.\n\n"
        "**Article 3** : {{ financial_report_clause }}\n\n"
        "**Article 4** : le présent arrêté sera notifié à l'association."
    ),
    "signatory_title": "Le Président",
}

REFUSAL = {
    "title": "Réponse à votre demande de subvention",
    "body": (
        "Madame, Monsieur,\n\n"
        "Vous avez déposé le {{ request.submitted_on }} auprès de {{ authority.name }}, au titre "
        "du dispositif « {{ scheme }} » (campagne {{ campaign }}, exercice {{ year }}), la demande "
        "de subvention n° {{ request.reference }} (« {{ request.title }} ») pour un montant de "
        "{{ amount_requested }}.\n\n"
        "J'ai le regret de vous informer que cette demande n'a pas pu être retenue, pour le motif "
        "suivant :\n\n"
        "{{ reason }}"
    ),
    "conditions": (
        "Cette décision peut faire l'objet d'un recours gracieux auprès de {{ authority.name }} "
        "ou d'un recours contentieux devant le tribunal administratif dans un délai de deux mois "
        "à compter de sa notification.\n\n"
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."
    ),
    "signatory_title": "Par délégation",
}

DEFAULTS = {"notification": NOTIFICATION, "arrete": ARRETE, "refus": REFUSAL}

FINANCIAL_REPORT_CLAUSE = (
    "La subvention étant affectée à une dépense déterminée, l'association produit un compte "
    "rendu financier (Cerfa n° 15059) attestant de la conformité des dépenses effectuées à "
    "l'objet de la subvention, au plus tard le {due_date} (loi n° 2000-321, art. 10)."
)
NO_FINANCIAL_REPORT_CLAUSE = (
    "L'association tient à la disposition de la collectivité les documents comptables "
    "justifiant de l'emploi de la subvention."
)
