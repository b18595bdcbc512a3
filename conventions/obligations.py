"""Obligations derived from a convention's data (seed SCS art. 6.1 and 6.2).

Thresholds live in grants.rules; this module only gathers the inputs.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from conventions.models import Justificatif
from grants import rules
from grants.models import GrantNature


@dataclass
class Obligations:
    amount: Decimal
    budget_total: Decimal | None
    public_subsidies: Decimal | None
    auditor_required: bool | None
    certified_accounts_required: bool
    due_date: object
    required_kinds: list = field(default_factory=list)


def convention_obligations(convention, amount=None):

    amount = convention.amount if amount is None else amount
    budget = getattr(convention, "forecast_budget", None)
    budget_total = budget.total_charges if budget is not None else None
    public_subsidies = budget.public_subsidies_total if budget is not None else None
    auditor = rules.auditor_required(public_subsidies) if public_subsidies is not None else None
    certified = rules.certified_accounts_required(amount, budget_total or Decimal("0"))

    kinds = [Justificatif.Kind.COMPTES_ANNUELS]
    if auditor:
        kinds.append(Justificatif.Kind.RAPPORT_CAC)
    kinds += [Justificatif.Kind.RAPPORT_ACTIVITE, Justificatif.Kind.PV_AG]
    # A grant assigned to a given project calls for a compte rendu financier (loi 2000-321 art. 10).
    if any(grant.nature == GrantNature.PROJECT for grant in convention.grants.all()):
        kinds.append(Justificatif.Kind.COMPTE_RENDU_FINANCIER)
    return Obligations(
        amount=amount,
        budget_total=budget_total,
        public_subsidies=public_subsidies,
        auditor_required=auditor,
        certified_accounts_required=certified,
        due_date=convention.justificatifs_due_date,
        required_kinds=kinds,
    )


def justificatif_statuses(convention, obligations):
    """Each required kind with its current justificatif (or None: missing)."""
    latest = {}
    for justificatif in convention.justificatifs.filter(is_current=True).order_by("uploaded_at"):
        latest[justificatif.kind] = justificatif

    rows = []
    for kind in obligations.required_kinds:
        rows.append(
            {"kind": kind, "label": Justificatif.Kind(kind).label, "item": latest.get(kind)}
        )
    return rows
