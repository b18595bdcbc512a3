"""What is missing before each step of a convention, as a checklist.

One function, `readiness(convention, step)`, answers for every step: the page lists its items
BEFORE the confirm button, and the service refuses with the same error items, so that the page
and the service never disagree. Errors block; warnings are shown and acknowledged. Each item links
to the page that fixes it.

Rules: the deliberation that grants the subsidy must be adopted before the convention is put to
signature, and executory (transmitted to the prefecture and published, CGCT L. 2131-1) before the
authority signs it and before any payment or commitment; the convention prints the forecast
budget as annex I, which must be balanced (charges = produits, 86 = 87); no error-level problem of
the consistency panel; a number; the PDF to sign is generated and up to date.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.consistency import ERROR as CONSISTENCY_ERROR
from conventions.consistency import convention_problems
from conventions.models import Convention
from grants.templatetags.fr import euros

ERROR, WARNING = "error", "warning"

READY = "ready"
SIGN_ASSOCIATION = "sign_association"
SIGN_AUTHORITY = "sign_authority"
ADVANCE_REQUEST = "advance_request"
COMMITMENT = "commitment"
STEPS = (READY, SIGN_ASSOCIATION, SIGN_AUTHORITY, ADVANCE_REQUEST, COMMITMENT)


@dataclass(frozen=True)
class Item:
    code: str
    level: str
    message: str
    url: str = ""
    link_label: str = ""

    @property
    def is_error(self):
        return self.level == ERROR


def errors(items):
    return [item for item in items if item.level == ERROR]


def warnings(items):
    return [item for item in items if item.level == WARNING]


def require(items, action):
    """Refuse with the checklist's errors (the same sentences as the page)."""
    blocking = errors(items)
    if blocking:
        raise ValidationError(
            f"Avant de {action} : " + " ; ".join(item.message for item in blocking) + "."
        )


def deliberations_of(convention):
    """The convention's deliberation, else those of its grants (without duplicates)."""
    if convention.deliberation_id:
        return [convention.deliberation]
    seen, found = set(), []
    for grant in convention.grants.select_related("deliberation"):
        if grant.deliberation_id and grant.deliberation_id not in seen:
            seen.add(grant.deliberation_id)
            found.append(grant.deliberation)
    return found


def _deliberation_items(convention, *, executory_level, missing_level):
    edit_url = reverse("convention_edit", args=[convention.pk]) if convention.is_editable else ""
    deliberations = deliberations_of(convention)
    if not deliberations:
        return [
            Item(
                "no_deliberation",
                missing_level,
                "aucune délibération n'attribue la subvention ni n'approuve la convention : "
                "rattachez-la",
                edit_url or reverse("deliberation_list"),
                "Rattacher la délibération",
            )
        ]
    items = []
    for deliberation in deliberations:
        url = deliberation.get_absolute_url()
        if not deliberation.is_adopted:
            items.append(
                Item(
                    "deliberation_not_adopted",
                    ERROR,
                    f"la délibération n° {deliberation.number} n'est pas adoptée (statut « "
                    f"{deliberation.get_status_display()} ») : enregistrez sa séance et son vote",
                    url,
                    f"Ouvrir la délibération n° {deliberation.number}",
                )
            )
        elif not deliberation.is_executory and executory_level:
            items.append(
                Item(
                    "deliberation_not_executory",
                    executory_level,
                    f"la délibération n° {deliberation.number} n'est pas encore exécutoire "
                    "(réception en préfecture et publication) : la collectivité ne signe et ne "
                    "verse qu'ensuite",
                    reverse("deliberation_transmission", args=[deliberation.pk]),
                    "Enregistrer la transmission et la publication",
                )
            )
    return items


def _budget_items(convention):
    budget = convention.forecast_budget
    if budget is None:
        url = (
            reverse("convention_edit", args=[convention.pk])
            if convention.is_editable
            else reverse("budget_create", args=[convention.association_id])
        )
        return [
            Item(
                "no_forecast_budget",
                ERROR,
                "aucun budget prévisionnel n'est rattaché (annexe I) : saisissez-le puis "
                "rattachez-le à la convention",
                url,
                "Rattacher le budget prévisionnel",
            )
        ]
    items = []
    url = reverse("budget_edit", args=[budget.pk])
    if budget.total_charges != budget.total_products:
        items.append(
            Item(
                "budget_unbalanced",
                ERROR,
                "le budget prévisionnel n'est pas équilibré : charges "
                f"{euros(budget.total_charges)}, produits {euros(budget.total_products)}",
                url,
                "Corriger le budget",
            )
        )
    if budget.total_contributions_charges != budget.total_contributions_products:
        items.append(
            Item(
                "contributions_unbalanced",
                ERROR,
                "les contributions volontaires du budget ne sont pas équilibrées : emplois (86) "
                f"{euros(budget.total_contributions_charges)}, contributions (87) "
                f"{euros(budget.total_contributions_products)}",
                url,
                "Corriger le budget",
            )
        )
    return items


def _document_items(convention):
    detail = reverse("convention_detail", args=[convention.pk])
    edit = reverse("convention_edit", args=[convention.pk]) if convention.is_editable else detail
    items = []
    if not convention.grants.exists():
        items.append(Item("no_grant", ERROR, "rattachez au moins une subvention", edit, "Modifier"))
    if not convention.number:
        items.append(Item("no_number", ERROR, "indiquez son numéro", edit, "Indiquer le numéro"))
    # Reported once, by the budget items, with their own link.
    skip = {"no_grant", "no_number", "no_budget", "annex1_charges_products_unbalanced",
            "annex1_contributions_unbalanced"}  # fmt: skip
    for problem in convention_problems(convention):
        if problem.severity == CONSISTENCY_ERROR and problem.code not in skip:
            items.append(
                Item(
                    f"consistency_{problem.code}",
                    ERROR,
                    problem.message.rstrip("."),
                    f"{detail}#consistency-title",
                    "Voir le panneau de cohérence",
                )
            )
    if not convention.pdf_file:
        items.append(
            Item("no_pdf", ERROR, "générez le PDF", f"{detail}#pdf-title", "Générer le PDF")
        )
    elif convention.pdf_is_stale:
        items.append(
            Item(
                "stale_pdf",
                ERROR,
                "les données ont changé depuis la génération du PDF : régénérez-le",
                f"{detail}#pdf-title",
                "Régénérer le PDF",
            )
        )
    return items


def _signed_item(convention):
    if convention.is_signed_by_both:
        return []
    return [
        Item(
            "not_signed",
            ERROR,
            "la convention doit être signée par les deux parties (art. 4.3)",
            reverse("convention_detail", args=[convention.pk]) + "#steps-title",
            "Voir les étapes",
        )
    ]


def readiness(convention, step):
    """The checklist of `step` for this convention: a list of Item, errors first."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    items = []
    if step in (READY, SIGN_ASSOCIATION):
        items += _document_items(convention) if step == READY else []
        items += _deliberation_items(convention, executory_level=WARNING, missing_level=ERROR)
        items += _budget_items(convention)
    elif step == SIGN_AUTHORITY:
        items += _deliberation_items(convention, executory_level=ERROR, missing_level=ERROR)
        items += _budget_items(convention)
    elif step == ADVANCE_REQUEST:
        items += _signed_item(convention)
        items += _deliberation_items(convention, executory_level=ERROR, missing_level=WARNING)
    elif step == COMMITMENT:
        items += _deliberation_items(convention, executory_level=ERROR, missing_level=WARNING)
    return sorted(items, key=lambda item: item.level != ERROR)


def grant_commitment_readiness(grant):
    """Before finance commits a grant: its deliberation executory; its convention (mandatory
    above 23 000 €) signed, or a warning."""
    items = []
    conventions = list(
        Convention.objects.filter(grants=grant).exclude(status=Convention.Status.TERMINATED)
    )
    if grant.deliberation_id is None:
        items.append(
            Item(
                "no_deliberation",
                WARNING,
                "aucune délibération n'est rattachée à la subvention",
                reverse("deliberation_list"),
                "Voir les délibérations",
            )
        )
    else:
        deliberation = grant.deliberation
        url = deliberation.get_absolute_url()
        if not deliberation.is_adopted:
            items.append(
                Item(
                    "deliberation_not_adopted",
                    ERROR,
                    f"la délibération n° {deliberation.number} n'est pas adoptée",
                    url,
                    f"Ouvrir la délibération n° {deliberation.number}",
                )
            )
        elif not deliberation.is_executory:
            items.append(
                Item(
                    "deliberation_not_executory",
                    ERROR,
                    f"la délibération n° {deliberation.number} n'est pas encore exécutoire "
                    "(transmission en préfecture et publication)",
                    url,
                    f"Ouvrir la délibération n° {deliberation.number}",
                )
            )
    if grant.convention_required and not conventions:
        items.append(
            Item(
                "no_convention",
                WARNING,
                "la subvention dépasse 23 000 € et aucune convention ne l'encadre encore",
                reverse("convention_create") + f"?subvention={grant.pk}",
                "Préparer la convention",
            )
        )
    elif conventions and not any(c.is_signed_by_both for c in conventions):
        convention = conventions[0]
        items.append(
            Item(
                "convention_not_signed",
                WARNING,
                "sa convention n'est pas encore signée par les deux parties",
                convention.get_absolute_url(),
                "Ouvrir la convention",
            )
        )
    return sorted(items, key=lambda item: item.level != ERROR)
