"""Money rules and legal thresholds, as pure functions on Decimal amounts.

Views, forms and services call these; they never re-implement them.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Loi 2000-321 art. 10 and décret 2001-495: a convention above 23 000 € a year.
CONVENTION_THRESHOLD = Decimal("23000.00")
# Code de commerce L.612-4: an auditor above 153 000 € of public subsidies in the year.
AUDITOR_THRESHOLD = Decimal("153000.00")
# CGCT L.2313-1-1 and R.2313-5: the president certifies the accounts above 75 000 € or 50 %.
CERTIFIED_ACCOUNTS_THRESHOLD = Decimal("75000.00")
CERTIFIED_ACCOUNTS_SHARE = Decimal("0.50")
DEFAULT_ADVANCE_PERCENTAGE = Decimal("80.00")


def to_money(value) -> Decimal:
    """Round to the cent, half up, as accountants do."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def convention_required(annual_amount: Decimal) -> bool:
    return annual_amount > CONVENTION_THRESHOLD


def auditor_required(public_subsidies: Decimal) -> bool:
    return public_subsidies > AUDITOR_THRESHOLD


def certified_accounts_required(grant_amount: Decimal, association_budget: Decimal) -> bool:
    if grant_amount > CERTIFIED_ACCOUNTS_THRESHOLD:
        return True
    return association_budget > 0 and grant_amount > association_budget * CERTIFIED_ACCOUNTS_SHARE
