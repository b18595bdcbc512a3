"""The chart of accounts of an association's budget, in the Cerfa 12156 layout.

The Cerfa (budget prévisionnel, n° 12156) and its compte rendu financier (n° 15059) print the
chapters 60–69 (charges), 70 and 73–79 (produits), then the voluntary contributions in kind:
86 (their use, on the charges side) and 87 (their origin, on the produits side). Each chapter has
its usual sub-lines; associations add free sub-lines (one per funder, for instance).

Sub-lines carry the accounts of the associations' chart (règlement ANC 2018-06) where one exists.
The Cerfa lists the kinds of public funders under 74 without account numbers: they get the keys
7401 to 7410 here, so that every line, free lines included, has a numeric account whose first two
digits give its chapter.
"""

from dataclasses import dataclass, field


class Side:
    """Where a line sits in the Cerfa layout (stored on each line)."""

    CHARGE = "charge"
    PRODUCT = "produit"
    CONTRIBUTION_USE = "emploi_contribution"  # 86, printed under the charges
    CONTRIBUTION = "contribution"  # 87, printed under the produits

    CHOICES = [
        (CHARGE, "Charges"),
        (PRODUCT, "Produits"),
        (CONTRIBUTION_USE, "Emplois des contributions volontaires en nature (86)"),
        (CONTRIBUTION, "Contributions volontaires en nature (87)"),
    ]
    ORDER = [CHARGE, PRODUCT, CONTRIBUTION_USE, CONTRIBUTION]


@dataclass(frozen=True)
class SubLine:
    account: str
    label: str
    is_public: bool = False


@dataclass(frozen=True)
class Chapter:
    account: str
    label: str
    side: str
    sublines: tuple[SubLine, ...] = field(default_factory=tuple)

    @property
    def takes_funders(self):
        """Subsidy lines may name a funding authority and count as public subsidies."""
        return self.account == SUBSIDIES


SUBSIDIES = "74"

CHAPTERS = (
    Chapter(
        "60",
        "Achats",
        Side.CHARGE,
        (
            SubLine("604", "Prestations de services"),
            SubLine("601", "Achats matières et fournitures"),
            SubLine("606", "Autres fournitures"),
        ),
    ),
    Chapter(
        "61",
        "Services extérieurs",
        Side.CHARGE,
        (
            SubLine("613", "Locations"),
            SubLine("615", "Entretien et réparation"),
            SubLine("616", "Assurance"),
            SubLine("618", "Documentation"),
        ),
    ),
    Chapter(
        "62",
        "Autres services extérieurs",
        Side.CHARGE,
        (
            SubLine("622", "Rémunérations intermédiaires et honoraires"),
            SubLine("623", "Publicité, publication"),
            SubLine("625", "Déplacements, missions"),
            SubLine("627", "Services bancaires, autres"),
        ),
    ),
    Chapter(
        "63",
        "Impôts et taxes",
        Side.CHARGE,
        (
            SubLine("631", "Impôts et taxes sur rémunération"),
            SubLine("635", "Autres impôts et taxes"),
        ),
    ),
    Chapter(
        "64",
        "Charges de personnel",
        Side.CHARGE,
        (
            SubLine("641", "Rémunération des personnels"),
            SubLine("645", "Charges sociales"),
            SubLine("647", "Autres charges de personnel"),
        ),
    ),
    Chapter("65", "Autres charges de gestion courante", Side.CHARGE),
    Chapter("66", "Charges financières", Side.CHARGE),
    Chapter("67", "Charges exceptionnelles", Side.CHARGE),
    Chapter("68", "Dotations aux amortissements", Side.CHARGE),
    Chapter("69", "Impôt sur les bénéfices", Side.CHARGE),
    Chapter(
        "70",
        "Vente de produits finis, de marchandises, prestations de services",
        Side.PRODUCT,
    ),
    Chapter("73", "Dotations et produits de tarification", Side.PRODUCT),
    Chapter(
        SUBSIDIES,
        "Subventions d'exploitation",
        Side.PRODUCT,
        (
            SubLine("7401", "État : préciser le(s) ministère(s) sollicité(s)", True),
            SubLine("7402", "Région(s)", True),
            SubLine("7403", "Département(s)", True),
            SubLine("7404", "Intercommunalité(s) : EPCI", True),
            SubLine("7405", "Commune(s)", True),
            SubLine("7406", "Organismes sociaux", True),
            SubLine("7407", "Fonds européens", True),
            SubLine("7408", "L'agence de services et de paiement (ASP)", True),
            SubLine("7409", "Autres établissements publics", True),
            SubLine("7410", "Aides privées"),
        ),
    ),
    Chapter(
        "75",
        "Autres produits de gestion courante",
        Side.PRODUCT,
        (SubLine("756", "Dont cotisations, dons manuels ou legs"),),
    ),
    Chapter("76", "Produits financiers", Side.PRODUCT),
    Chapter("77", "Produits exceptionnels", Side.PRODUCT),
    Chapter("78", "Reprises sur amortissements et provisions", Side.PRODUCT),
    Chapter("79", "Transfert de charges", Side.PRODUCT),
    Chapter(
        "86",
        "Emplois des contributions volontaires en nature",
        Side.CONTRIBUTION_USE,
        (
            SubLine("860", "Secours en nature"),
            SubLine("861", "Mise à disposition gratuite de biens et prestations"),
            SubLine("862", "Prestations en nature"),
            SubLine("864", "Personnel bénévole"),
        ),
    ),
    Chapter(
        "87",
        "Contributions volontaires en nature",
        Side.CONTRIBUTION,
        (
            SubLine("870", "Bénévolat"),
            SubLine("871", "Prestations en nature"),
            SubLine("875", "Dons en nature"),
        ),
    ),
)

CHAPTERS_BY_ACCOUNT = {chapter.account: chapter for chapter in CHAPTERS}
CHAPTER_ORDER = {chapter.account: index for index, chapter in enumerate(CHAPTERS)}
SUBLINES_BY_ACCOUNT = {sub.account: sub for chapter in CHAPTERS for sub in chapter.sublines}
MAX_ACCOUNT_LENGTH = 8
ALLOWED_CHAPTERS_TEXT = "60 à 69, 70, 73 à 79, 86 et 87, ou l'un de leurs sous-comptes"


def chapter_of(account):
    """The chapter an account belongs to (its first two digits), or None if unknown."""
    account = (account or "").strip()
    if not account.isdigit() or not 2 <= len(account) <= MAX_ACCOUNT_LENGTH:
        return None
    return CHAPTERS_BY_ACCOUNT.get(account[:2])


def side_of(account):
    chapter = chapter_of(account)
    return chapter.side if chapter else None


def default_label(account):
    """The chart's label of a chapter or standard sub-line, '' for other accounts."""
    if account in CHAPTERS_BY_ACCOUNT:
        return CHAPTERS_BY_ACCOUNT[account].label
    sub = SUBLINES_BY_ACCOUNT.get(account)
    return sub.label if sub else ""


def default_is_public(account):
    """Subsidies from public funders (7401–7409 and their free sub-lines) are public."""
    if not account.startswith(SUBSIDIES):
        return False
    sub = SUBLINES_BY_ACCOUNT.get(account[:4])
    return bool(sub and sub.is_public)


def sort_key(account, position):
    """Lines sort by chapter in the Cerfa order, then by their position inside the chapter."""
    return (CHAPTER_ORDER.get(account[:2], len(CHAPTERS)), len(account) > 2, position)


def standard_lines():
    """Every chapter and standard sub-line, in Cerfa order: the lines of a new budget."""
    for chapter in CHAPTERS:
        yield chapter.account, chapter.label, False
        for sub in chapter.sublines:
            yield sub.account, sub.label, sub.is_public
