"""Demo budget: annex I of the SCS 2023 convention, exactly as printed in the seed.

Every printed line is kept with its printed label and amount, and so are the printed totals
(953 530 / 953 530 / 1 163 530 / 1 163 530), errors included: the lines add up to 954 123 € of
charges and 953 330 € of produits, so the budget's problems show what the paper hid.

Accounts: the seed's form misnumbers three chapters ("71 - Dotation et produits de
certification", "76 - Subventions d'exploitation", "88 - Emploi des contributions volontaires");
their lines are held under the chart's 73, 74 and 86 with the printed labels. Printed sub-lines
map to the chart's sub-line when it is the same line (e.g. "Locations mobilières et immobilières"
→ 613) and to the closest account of the associations' chart otherwise. The seed's blank rows
(no label, amount 0) are not kept.
"""

from decimal import Decimal

from django.db import transaction

from associations.budgets.chart import side_of
from associations.budgets.models import AssociationBudget, AssociationBudgetLine

# (account, printed label, amount, is_public); the Métropole's own line is marked below.
SCS_2023_LINES = [
    ("60", "Achats", 0, False),
    ("601", "Achats stockés (matières premières, autres)", 0, False),
    ("604", "Achats d'études et de prestations de services", 0, False),
    ("605", "Achats de matériel, équipement et travaux", 0, False),
    ("606", "Achats non stockés (eau, électricité, fournitures)", 0, False),
    ("607", "Achats de marchandises", 0, False),
    ("6068", "Autres achats", 1474, False),
    ("61", "Services extérieurs", 0, False),
    ("611", "Sous-traitance générale", 0, False),
    ("612", "Avances de crédit-bail", 0, False),
    ("613", "Locations mobilières et immobilières", 31055, False),
    ("614", "Charges locatives et de copropriété", 0, False),
    ("615", "Entretien et réparations", 15199, False),
    ("616", "Frais d'assurances", 2211, False),
    ("618", "Divers (études / recherches, documentaires, colloques, ...)", 0, False),
    ("62", "Autres services extérieurs", 0, False),
    ("6231", "Frais de publicité", 0, False),
    ("622", "Rémunérations d'intermédiaires et honoraires", 85110, False),
    ("623", "Publicité, information et publications", 34454, False),
    ("624", "Transports de biens et transports collectifs du personnel", 0, False),
    ("625", "Déplacements, relations et réception", 62557, False),
    ("626", "Frais postaux et de télécommunications", 5863, False),
    ("628", "Autres travaux extérieurs (à l'extérieur, etc...)", 8040, False),
    ("63", "Impôts et taxes", 0, False),
    ("631", "Impôts et taxes sur rémunérations", 18316, False),
    ("635", "Autres impôts et taxes", 918, False),
    ("64", "Charges de personnel", 0, False),
    ("641", "Rémunérations du personnel", 485124, False),
    ("645", "Charges sociales", 200699, False),
    ("647", "Autres charges de personnel", 593, False),
    ("65", "Autres charges de gestion courante", 0, False),
    ("66", "Charges financières", 0, False),
    ("67", "Charges exceptionnelles", 0, False),
    (
        "68",
        "Dotations aux amortissements et provisions, engagements à réaliser sur ressources "
        "affectées",
        2510,
        False,
    ),
    ("69", "Impôts sur les bénéfices", 0, False),
    ("70", "Vente de produits finis, de marchandises, prestations de services", 0, False),
    ("73", "Dotation et produits de certification", 0, False),
    ("74", "Subventions d'exploitation (R)", 0, False),
    ("7401", "Etat (pécunier les/les ministères) collectifs", 0, True),
    ("7401", "DGA", 40000, True),
    ("7402", "Région(s) (à préciser)", 0, True),
    ("7402", "REGION SUD (dont transfert Etat Région : 161 609€)", 368993, True),
    ("7403", "Département(s) (à préciser)", 0, True),
    ("7404", "TOTAL Métropole Aix Marseille Provence - Fédérations", 0, True),
    ("7404", "- Métropole Aix Marseille Provence (échelle central)", 66000, True),
    ("7404", "- Fédérations Marseille Provence", 0, True),
    ("7404", "- Fédérations du Pays d'Aix", 0, True),
    ("7404", "- Fédérations du Pays de Luberon", 0, True),
    ("7404", "- Fédérations du Pays d'Aubagne et de l'Estérel", 0, True),
    ("7404", "- Fédérations Vaucluse Provence", 0, True),
    ("7404", "- Fédérations du Pays de Martigues", 0, True),
    ("7405", "Communes (à préciser)", 0, True),
    ("7405", "Mairie de Roussas (participation en nature : mise à disposition locaux)", 0, True),
    ("7405", "CASA", 25000, True),
    ("7405", "PM", 20000, True),
    ("7406", "Organismes sociaux (détailés)", 0, True),
    ("7407", "Fonds européens", 0, True),
    ("7408", "L'Agence de services et de paiement", 0, True),
    ("7409", "Autres établissements publics", 0, True),
    ("7410", "Autres privés", 0, False),
    ("75", "Autres produits de gestion courante", 0, False),
    ("756", "Dont cotisations, dons manuels ou legs", 433337, False),
    ("76", "Produits financiers", 0, False),
    ("77", "Produits exceptionnels", 0, False),
    ("78", "Reprises sur amortissements provisions", 0, False),
    ("79", "Transfert de charges", 0, False),
    ("86", "Emploi des contributions volontaires en nature (R)", 0, False),
    ("860", "Secours en nature", 0, False),
    ("861", "Mise à disposition gratuite biens et prestations", 0, False),
    ("864", "Personnel bénévole", 210000, False),
    ("87", "Contributions volontaires en nature", 0, False),
    ("870", "Bénévoles", 190000, False),
    ("871", "Prestation en nature → Mise à disposition locaux Roussas", 20000, False),
    ("875", "Dons en nature", 0, False),
]
METROPOLE_LINE = "- Métropole Aix Marseille Provence (échelle central)"

SCS_2023_BUDGET = {
    "label": "Pôle SCS — Budget prévisionnel général Année 2023",
    "printed_total_charges": Decimal("953530"),
    "printed_total_products": Decimal("953530"),
    "printed_grand_total_charges": Decimal("1163530"),
    "printed_grand_total_products": Decimal("1163530"),
    "signed_place": "ROUSSAS",
    "signed_on": "2023-03-06",
    "notes": "Annexe I de la convention annuelle d'objectifs 2023, saisie telle qu'imprimée.",
}


@transaction.atomic
def load_scs_2023(association, metropole):
    budget, _ = AssociationBudget.objects.update_or_create(
        association=association,
        year=2023,
        kind=AssociationBudget.Kind.FORECAST,
        defaults=SCS_2023_BUDGET,
    )
    budget.lines.all().delete()
    AssociationBudgetLine.objects.bulk_create(
        AssociationBudgetLine(
            budget=budget,
            account=account,
            side=side_of(account),
            label=label,
            amount=Decimal(amount),
            is_public=is_public,
            authority=metropole if label == METROPOLE_LINE else None,
            position=index * 10,
        )
        for index, (account, label, amount, is_public) in enumerate(SCS_2023_LINES)
    )
    budget.store_totals()
    budget.refresh_from_db()
    return budget


def load_budgets(out, context):
    scs = context.get("scs")
    if scs is None:
        return {}
    metropole = context.get("authorities", {}).get("amp") or scs.authority
    budget = load_scs_2023(scs, metropole)
    out.write(
        f"  Budget prévisionnel SCS 2023 : {len(SCS_2023_LINES)} lignes, "
        f"{len(budget.problems())} incohérence(s) signalée(s)"
    )
    return {"budget_scs_2023": budget}
