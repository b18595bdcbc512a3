"""Writes on association budgets: creation, saving the lines, replacing them from a file.

Views and the XLSX import call these; each checks who may write and runs in one transaction.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from associations.budgets import chart
from associations.budgets.models import AssociationBudget, AssociationBudgetLine
from grants.access import can_edit_budgets, require

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")


def _require_editor(user, association):
    require(
        can_edit_budgets(user, association),
        "Vous ne pouvez pas modifier les budgets de cette association.",
    )


def _require_not_frozen(budget):
    message = budget.frozen_message()
    if message:
        raise ValidationError(message)


@dataclass
class LineData:
    """One line to write, as typed in the form or read from a file."""

    account: str
    label: str
    amount: Decimal = ZERO
    is_public: bool | None = None  # None: the chart's default for the account
    authority_id: int | None = None


@transaction.atomic
def budget_create(*, association, year, kind, user, label=""):
    """A new budget with the full chart at zero (a realised one copies its forecast's lines)."""
    _require_editor(user, association)
    budget = AssociationBudget(
        association=association, year=year, kind=kind, label=label, updated_by=user
    )
    budget.full_clean()
    budget.save()
    forecast = None
    if kind == AssociationBudget.Kind.REALISED:
        forecast = AssociationBudget.objects.filter(
            association=association, year=year, kind=AssociationBudget.Kind.FORECAST
        ).first()
    if forecast is not None:
        rows = [
            LineData(line.account, line.label, ZERO, line.is_public, line.authority_id)
            for line in forecast.lines.order_by("position", "pk")
        ]
    else:
        rows = [LineData(account, label, ZERO) for account, label, _ in chart.standard_lines()]
    _write_lines(budget, rows)
    return budget


def _ordered(rows):
    """Cerfa order: by chapter, the chapter line first, then in the order given."""
    indexed = sorted(enumerate(rows), key=lambda pair: chart.sort_key(pair[1].account, pair[0]))
    return [row for _, row in indexed]


def _write_lines(budget, rows):
    """Replace every line of the budget (caller holds the transaction)."""
    present = {row.account for row in rows}
    missing = [
        LineData(chapter.account, chapter.label)
        for chapter in chart.CHAPTERS
        if chapter.account not in present
    ]
    lines = []
    for index, row in enumerate(_ordered(list(rows) + missing)):
        is_subsidy = row.account.startswith(chart.SUBSIDIES)
        is_public = chart.default_is_public(row.account) if row.is_public is None else row.is_public
        lines.append(
            AssociationBudgetLine(
                budget=budget,
                side=chart.side_of(row.account),
                account=row.account,
                label=row.label or chart.default_label(row.account),
                amount=row.amount,
                is_public=is_subsidy and is_public,
                authority_id=row.authority_id if is_subsidy else None,
                position=(index + 1) * 10,
            )
        )
    budget.lines.all().delete()
    AssociationBudgetLine.objects.bulk_create(lines)
    budget.store_totals()
    budget.__dict__.pop("_lines", None)
    return lines


def check_rows(rows):
    """Problems that would make the lines unwritable, as (index, French message) pairs."""
    errors = []
    seen = {}
    for index, row in enumerate(rows):
        if chart.chapter_of(row.account) is None:
            errors.append(
                (index, f"Compte « {row.account} » inconnu : {chart.ALLOWED_CHAPTERS_TEXT}.")
            )
            continue
        if not (row.label or chart.default_label(row.account)):
            errors.append((index, f"Libellé manquant pour le compte {row.account}."))
        if row.amount < 0:
            errors.append((index, "Un montant ne peut pas être négatif."))
        elif row.amount > MAX_AMOUNT:
            errors.append((index, "Montant trop élevé (au plus 9 999 999 999,99 €)."))
        key = (row.account, " ".join(row.label.split()).casefold())
        if len(row.account) == 2:
            key = (row.account, "")
        if key in seen:
            errors.append((index, _duplicate_message(row, seen[key])))
        else:
            seen[key] = index
    return errors


def _duplicate_message(row, first_index):
    if len(row.account) == 2:
        return f"Le chapitre {row.account} figure deux fois (déjà en position {first_index + 1})."
    return (
        f"Ligne en double : compte {row.account} « {row.label} » (déjà en position "
        f"{first_index + 1})."
    )


@transaction.atomic
def budget_lines_save(budget, rows, *, user, fields=None, expected_version=None):
    """Save the whole table typed in the form, and the document's header fields.

    `expected_version` is the budget's `updated_at` when the form was opened: if someone saved
    in between, nothing is written and the user is told to reload.
    """
    _require_editor(user, budget.association)
    locked = AssociationBudget.objects.select_for_update().get(pk=budget.pk)
    _require_not_frozen(locked)
    if expected_version is not None and locked.updated_at != expected_version:
        who = f" par {locked.updated_by}" if locked.updated_by else ""
        raise ValidationError(
            f"Ce budget a été modifié{who} depuis l'ouverture du formulaire : rechargez la "
            "page pour repartir de la dernière version (vos saisies n'ont pas été enregistrées)."
        )
    errors = check_rows(rows)
    if errors:
        raise ValidationError([message for _, message in errors])
    for name, value in (fields or {}).items():
        setattr(budget, name, value)
    budget.updated_by = user
    budget.full_clean(validate_unique=False)
    budget.save()
    _write_lines(budget, rows)
    return budget


@transaction.atomic
def budget_lines_replace(budget, rows, *, user):
    """Replace the lines from an imported file; funder links of unchanged lines are kept."""
    _require_editor(user, budget.association)
    _require_not_frozen(AssociationBudget.objects.select_for_update().get(pk=budget.pk))
    errors = check_rows(rows)
    if errors:
        raise ValidationError([message for _, message in errors])
    previous = {
        (line.account, line.label): line for line in budget.lines.select_related("authority")
    }
    for row in rows:
        old = previous.get((row.account, row.label))
        if old is not None:
            row.is_public = old.is_public
            row.authority_id = old.authority_id
    budget.updated_by = user
    budget.save(update_fields=["updated_by", "updated_at"])
    return _write_lines(budget, rows)


@transaction.atomic
def budget_delete(budget, *, user):
    _require_editor(user, budget.association)
    budget.delete()
