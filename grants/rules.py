"""Money rules and legal thresholds, as pure functions on Decimal amounts.

Views, forms and services call these; they never re-implement them.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

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


# Seed SCS art. 6.2 and loi 2000-321 art. 10: justificatifs within six months of the year's close.
JUSTIFICATIFS_DELAY_MONTHS = 6


def share_of_budget(amount: Decimal, budget_total: Decimal, places: int = 1) -> Decimal | None:
    """The grant's share of a budget, in percent rounded half up (66 000 / 953 530 → 6.9)."""
    if not budget_total or budget_total <= 0:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(amount) * 100 / Decimal(budget_total)).quantize(quantum, ROUND_HALF_UP)


def justificatifs_due_date(fiscal_year_end):
    """Six months after the close of the financial year; a month-end close gives a month-end
    (31/12/2023 → 30/06/2024, 30/06/2024 → 31/12/2024), other days are kept or clamped."""
    import calendar
    import datetime

    month_index = fiscal_year_end.month - 1 + JUSTIFICATIFS_DELAY_MONTHS
    year, month = fiscal_year_end.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    is_month_end = fiscal_year_end.day == calendar.monthrange(*fiscal_year_end.timetuple()[:2])[1]
    day = last_day if is_month_end else min(fiscal_year_end.day, last_day)
    return datetime.date(year, month, day)


# Loi 2000-321 art. 10: a grant affected to a specific expense is accounted for by a compte
# rendu financier (Cerfa 15059) within six months after the end of the year it was granted for.
FINANCIAL_REPORT_DELAY_MONTHS = 6


def single_payment_allowed(amount: Decimal) -> bool:
    """A grant of 23 000 € or less needs no convention and is paid in one payment."""
    return amount > 0 and not convention_required(amount)


def financial_report_due_date(year: int):
    """Six months after 31 December of the grant's year: 2024 → 30/06/2025."""
    import datetime

    return justificatifs_due_date(datetime.date(year, 12, 31))


def financial_report_overdue(year: int, today) -> bool:
    """Late from the day after the due date (30/06 is still on time)."""
    return today > financial_report_due_date(year)


# --- Money in motion: advances, pro rata, clawbacks, budget credits (seed SCS art. 4.2, 4.3, 8).

# An internal target, not a legal deadline: a payment whose service fait was certified more
# than this many days ago and that still has no payment order (mandat) is shown as overdue.
PAYMENT_ORDER_TARGET_DAYS = 30


def advance_cap(voted: Decimal, percentage: Decimal) -> Decimal:
    """The largest advance: `percentage` % of the voted amount, rounded DOWN to the cent.

    Rounding down keeps the advance at most the percentage the rules allow (art. 4.3).
    """
    return (Decimal(voted) * Decimal(percentage) / 100).quantize(CENT, rounding=ROUND_DOWN)


def advance_within_cap(
    amount: Decimal, voted: Decimal, percentage: Decimal, already_advanced: Decimal = Decimal(0)
) -> bool:
    return amount > 0 and already_advanced + amount <= advance_cap(voted, percentage)


def amount_due(voted: Decimal, forecast_expenses: Decimal, realised_expenses: Decimal) -> Decimal:
    """What the authority owes once the expenses are justified (art. 4.2).

    voted × min(1, realised / forecast), to the cent: recalculated pro rata when the expenses
    are lower than forecast, never increased when they are higher.
    """
    if forecast_expenses <= 0:
        raise ValueError("Les dépenses prévisionnelles doivent être positives.")
    if realised_expenses < 0:
        raise ValueError("Les dépenses réalisées ne peuvent pas être négatives.")
    if realised_expenses >= forecast_expenses:
        return to_money(voted)
    return to_money(Decimal(voted) * Decimal(realised_expenses) / Decimal(forecast_expenses))


def remaining_payable(due: Decimal, requested: Decimal) -> Decimal:
    """What may still be requested: the due amount less every payment not rejected."""
    return max(Decimal("0.00"), to_money(due - requested))


def clawback_due(due: Decimal, paid: Decimal, clawed_back: Decimal = Decimal(0)) -> Decimal:
    """The excess paid over the amount due, less what has already been claimed back."""
    return max(Decimal("0.00"), to_money(paid - clawed_back - due))


def available_credits(voted_credits: Decimal, committed: Decimal) -> Decimal:
    """Credits still free on a budget line: voted less committed (engagé)."""
    return to_money(voted_credits - committed)


def commitment_fits(amount: Decimal, voted_credits: Decimal, committed: Decimal) -> bool:
    return amount > 0 and amount <= available_credits(voted_credits, committed)


def payment_order_overdue(certified_on, today) -> bool:
    """Certified (service fait) more than PAYMENT_ORDER_TARGET_DAYS days ago, still not ordered."""
    return (today - certified_on).days > PAYMENT_ORDER_TARGET_DAYS
