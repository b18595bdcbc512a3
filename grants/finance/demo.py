"""Demo data for the money in motion: budget lines, commitments and the SCS advance.

Saint-Étienne Métropole's line INUM/SUFLI/65748 is the one its deliberation 2024.00344 cites;
Aix-Marseille-Provence's 2023 line, the engagement, mandat and titre numbers and every date below
are illustrative (the seeds do not print them). Idempotent: running it again updates the same
rows. Parts whose objects are missing from the context are skipped.
"""

import datetime
from decimal import Decimal

from grants import rules
from grants.demo import paris_datetime
from grants.finance.models import CERTIFICATION_TEXT, BudgetLine, Commitment, Payment
from grants.models import Grant, User

LINES = {
    "sem": {
        "year": 2024,
        "budget": BudgetLine.Budget.PRINCIPAL,
        "section": BudgetLine.Section.OPERATING,
        "service_codes": "INUM/SUFLI",
        "nature": "65748",
        "chapter": "65",
        "label": "Subventions de fonctionnement aux personnes de droit privé — innovation et "
        "filières industrielles",
        "voted_credits": Decimal("350000.00"),
    },
    "amp": {
        "year": 2023,
        "budget": BudgetLine.Budget.PRINCIPAL,
        "section": BudgetLine.Section.OPERATING,
        "service_codes": "DEVECO/INNOV",
        "nature": "65748",
        "chapter": "65",
        "label": "Subventions de fonctionnement aux associations — innovation (iCapital 2023)",
        "voted_credits": Decimal("1250000.00"),
    },
}


def _line(authority, data):
    keys = ("year", "budget", "section", "service_codes", "nature")
    line, _ = BudgetLine.objects.update_or_create(
        authority=authority,
        **{k: data[k] for k in keys},
        defaults={k: v for k, v in data.items() if k not in keys},
    )
    return line


def _commit(grant, line, number, date):
    commitment, _ = Commitment.objects.update_or_create(
        grant=grant,
        defaults={"budget_line": line, "number": number, "date": date, "amount": grant.amount},
    )
    return commitment


def _scs_advance(out, convention, commitment):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    if len(users) < len(DEMO_USERS) or not convention.is_signed_by_both:
        out.write("  Versements : acompte SCS non chargé (comptes ou signatures absents).")
        return None
    amount = rules.advance_cap(convention.amount, convention.advance_percentage)
    payment, _ = Payment.objects.update_or_create(
        convention=convention,
        kind=Payment.Kind.ADVANCE,
        defaults={
            "amount": amount,
            "status": Payment.Status.PAID,
            "requested_at": paris_datetime(2023, 5, 15),
            "requested_by": users["asso-scs"],
            "signer_name": "M. Fabien ALLI, Président",
            "certification_text": CERTIFICATION_TEXT,
            "certified_at": paris_datetime(2023, 5, 22, 15),
            "certified_by": users["instructeur"],
            "commitment": commitment,
            "order_number": "2023-M-004512",
            "order_date": datetime.date(2023, 6, 5),
            "ordered_at": paris_datetime(2023, 6, 5, 11),
            "ordered_by": users["financier"],
            "paid_date": datetime.date(2023, 6, 12),
            "paid_recorded_at": paris_datetime(2023, 6, 13, 9),
            "paid_recorded_by": users["financier"],
        },
    )
    return payment


DEMO_USERS = ("asso-scs", "instructeur", "financier")


def _convention_grant(convention, fallback=None):
    if convention is not None:
        grant = convention.grants.order_by("pk").first()
        if grant is not None:
            return grant
    return fallback


def load_finance(out, context):
    authorities = context.get("authorities") or {}
    lines = {key: _line(authorities[key], LINES[key]) for key in LINES if key in authorities}
    result = {"budget_lines": lines}
    described = [f"{line.imputation} {line.year}" for line in lines.values()]
    out.write(f"  Lignes budgétaires : {', '.join(described) or 'aucune'}.")

    scs_convention = context.get("convention_scs")
    scs_grant = _convention_grant(scs_convention)
    if scs_grant is not None and "amp" in lines:
        commitment = _commit(scs_grant, lines["amp"], "2023-EJ-001847", datetime.date(2023, 5, 10))
        payment = _scs_advance(out, scs_convention, commitment)
        if payment is not None:
            result["payment_scs_advance"] = payment
            out.write(
                "  Versements : acompte SCS de 52 800,00 € demandé, certifié, mandaté et payé."
            )

    minalogic_convention = context.get("convention_minalogic")
    fallback = context.get("grant_minalogic")
    if fallback is None and "minalogic" in context:
        fallback = Grant.objects.filter(association=context["minalogic"], year=2024).first()
    minalogic_grant = _convention_grant(minalogic_convention, fallback)
    if minalogic_grant is not None and "sem" in lines:
        _commit(minalogic_grant, lines["sem"], "2024-EJ-000912", datetime.date(2024, 7, 15))
        if minalogic_convention is not None:
            out.write("  Minalogic 2024 : engagée, en attente de la demande d'acompte.")
    return result
