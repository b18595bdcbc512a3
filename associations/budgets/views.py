"""Pages of the association budgets: lists, the Cerfa view, the entry form, the XLSX import."""

from decimal import Decimal
from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    DecimalField,
    OuterRef,
    Prefetch,
    ProtectedError,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from associations.budgets import chart, import_jobs
from associations.budgets import models as budgets
from associations.budgets.chart import Side
from associations.budgets.filters import AssociationBudgetFilter
from associations.budgets.forms import (
    BudgetCreateForm,
    BudgetHeaderForm,
    BudgetImportForm,
    BudgetLineFormSet,
)
from associations.budgets.imports import CONTENT_TYPE, budget_import, budget_workbook
from associations.budgets.models import AssociationBudget, AssociationBudgetLine
from associations.budgets.services import LineData, budget_create, budget_delete, budget_lines_save
from associations.models import Association
from conventions.models import Convention
from grants.access import can_edit_budgets
from grants.models import Authority
from grants.pagination import paginate

ZERO = Decimal("0.00")


def _visible_budget(user, pk, *, lines=True):
    queryset = AssociationBudget.objects.visible_to(user).select_related(
        "association__authority", "updated_by"
    )
    if lines:
        queryset = queryset.prefetch_related(
            Prefetch("lines", AssociationBudgetLine.objects.select_related("authority"))
        )
    return get_object_or_404(queryset, pk=pk)


def _editable_budget(request, pk, *, lines=True):
    budget = _visible_budget(request.user, pk, lines=lines)
    if not can_edit_budgets(request.user, budget.association):
        raise PermissionDenied
    return budget


def _refuse_if_frozen(request, budget):
    """Annex I of a signed convention: say why it cannot be changed, back to the budget."""
    message = budget.frozen_message()
    if not message:
        return None
    messages.error(request, message)
    return redirect(budget)


def _side_total(side):
    sums = (
        AssociationBudgetLine.objects.filter(budget=OuterRef("pk"), side=side)
        .order_by()
        .values("budget")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(sums), Value(ZERO), output_field=DecimalField())


# -- Lists ---------------------------------------------------------------------------------


def _budget_list(request, association=None):
    queryset = AssociationBudget.objects.visible_to(request.user)
    if association is not None:
        queryset = queryset.filter(association=association)
    budget_filter = AssociationBudgetFilter(request.GET, queryset=queryset)
    filtered = budget_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("-year", "association__name", "kind")
    rows = filtered.select_related("association").annotate(
        charges_sum=_side_total(Side.CHARGE), products_sum=_side_total(Side.PRODUCT)
    )
    page = paginate(request, rows, count_queryset=filtered)
    ctx = {
        "association": association,
        "filter": budget_filter,
        "page": page,
        "can_create": association is not None and can_edit_budgets(request.user, association),
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
    }
    return render(request, "associations/budgets/list.html", ctx)


@login_required
def budget_list(request):
    return _budget_list(request)


@login_required
def association_budget_list(request, pk):
    association = get_object_or_404(Association.objects.visible_to(request.user), pk=pk)
    return _budget_list(request, association)


# -- Detail --------------------------------------------------------------------------------


def _flat_rows(blocks, planned=None):
    """The chapters and their lines as table rows (with the forecast beside, if given)."""
    rows = []
    for block in blocks:
        has_detail = any(line.amount for line in block.lines)
        rows.append(_row("chapter", block.account, block.label, block.total, planned))
        if block.head is not None and block.head.amount and has_detail:
            rows.append(
                _row("line", block.account, "Non ventilé", block.head.amount, planned, block.head)
            )
        for line in block.lines:
            rows.append(_row("line", line.account, line.label, line.amount, planned, line))
    return rows


def _row(kind, account, label, amount, planned, line=None):
    row = {"kind": kind, "account": account, "label": label, "amount": amount, "line": line}
    if planned is not None:
        key = ("chapter", account) if kind == "chapter" else (account, label)
        forecast = planned.get(key)
        row["forecast"] = forecast
        row["gap"] = amount - forecast if forecast is not None else None
        row["rate"] = (amount * 100 / forecast) if forecast else None
    return row


def _planned_amounts(forecast):
    """Forecast amounts by (account, label) and chapter totals by ("chapter", account)."""
    if forecast is None:
        return None
    planned = {}
    for side_blocks in forecast.sections().values():
        for block in side_blocks:
            planned[("chapter", block.account)] = block.total
            for line in block.lines:
                planned[(line.account, line.label)] = line.amount
    return planned


def _side_by_side(left, right):
    return list(zip_longest(left, right))


@login_required
def budget_detail(request, pk):
    budget = _visible_budget(request.user, pk)
    sections = budget.sections()
    forecast = None
    if budget.is_realised:
        forecast = (
            AssociationBudget.objects.filter(
                association_id=budget.association_id,
                year=budget.year,
                kind=AssociationBudget.Kind.FORECAST,
            )
            .prefetch_related("lines")
            .first()
        )
    planned = _planned_amounts(forecast) if budget.is_realised else None
    charges = _flat_rows(sections[Side.CHARGE], planned)
    products = _flat_rows(sections[Side.PRODUCT], planned)
    uses = _flat_rows(sections[Side.CONTRIBUTION_USE], planned)
    contributions = _flat_rows(sections[Side.CONTRIBUTION], planned)
    conventions = _conventions_using(request.user, budget)
    frozen_message = budgets.frozen_message(next((c for c in conventions if c.pdf_is_frozen), None))
    ctx = {
        "budget": budget,
        "association": budget.association,
        "problems": budget.problems(),
        "forecast": forecast,
        "main_rows": _side_by_side(charges, products),
        "contribution_rows": _side_by_side(uses, contributions),
        "realised_tables": [
            ("Charges", charges, budget.total_charges, forecast and forecast.total_charges),
            ("Produits", products, budget.total_products, forecast and forecast.total_products),
            (
                "Emplois des contributions volontaires en nature (86)",
                uses,
                budget.total_contributions_charges,
                forecast and forecast.total_contributions_charges,
            ),
            (
                "Contributions volontaires en nature (87)",
                contributions,
                budget.total_contributions_products,
                forecast and forecast.total_contributions_products,
            ),
        ],
        "can_edit": can_edit_budgets(request.user, budget.association) and not frozen_message,
        "frozen_message": frozen_message,
        "conventions": conventions,
    }
    return render(request, "associations/budgets/detail.html", ctx)


def _conventions_using(user, budget):
    """The conventions (visible to the user) holding this budget as their annex I."""

    conventions = Convention.objects.visible_to(user).filter(forecast_budget=budget)
    return list(conventions.select_related("association"))


# -- Writes --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def budget_create_view(request, pk):
    association = get_object_or_404(Association.objects.visible_to(request.user), pk=pk)
    if not can_edit_budgets(request.user, association):
        raise PermissionDenied
    form = BudgetCreateForm(request.POST or None, association=association)
    if request.method == "POST" and form.is_valid():
        try:
            budget = budget_create(
                association=association,
                year=form.cleaned_data["year"],
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                user=request.user,
            )
        except ValidationError as error:  # created meanwhile by someone else
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{budget.get_kind_display()} {budget.year} créé : saisissez-le."
            )
            return redirect("budget_edit", budget.pk)
    ctx = {"form": form, "association": association, "title": "Nouveau budget"}
    return render(request, "associations/budgets/create.html", ctx)


def _line_initial(budget):
    return [
        {
            "group": line.chapter,
            "account": line.account,
            "label": line.label,
            "amount": line.amount,
            "is_public": line.is_public,
            "authority": line.authority_id,
        }
        for line in sorted(budget.lines.all(), key=lambda li: li.sort_key)
    ]


def _authority_choices():
    return [("", "—")] + [(a.pk, a.name) for a in Authority.objects.order_by("name")]


def _groups(formset, planned):
    """The formset's rows grouped under the chart's chapters, in the Cerfa order."""
    by_group = {chapter.account: [] for chapter in chart.CHAPTERS}
    for form in formset:
        group = str(form["group"].value() or form["account"].value() or "")[:2]
        by_group.setdefault(group if group in by_group else "60", []).append(form)
    groups = []
    for chapter in chart.CHAPTERS:
        rows = []
        for form in by_group[chapter.account]:
            account, label = form["account"].value(), form["label"].value()
            is_head = len(str(account or "")) == 2 and bool(form.initial.get("account"))
            forecast = None
            if planned is not None:
                key = ("chapter", account) if is_head else (account, label)
                forecast = planned.get(key)
            rows.append({"form": form, "is_head": is_head, "forecast": forecast})
        groups.append({"chapter": chapter, "rows": rows})
    return groups


def _rows_from(formset):
    rows = []
    for form in formset.forms:
        if formset._should_delete_form(form) and len(form.cleaned_data.get("account", "")) > 2:
            continue
        data = form.cleaned_data
        if not data.get("account"):
            continue
        authority = data.get("authority")
        rows.append(
            LineData(
                account=data["account"],
                label=data.get("label") or chart.default_label(data["account"]),
                amount=data["amount"],
                is_public=data.get("is_public", False),
                authority_id=authority.pk if authority else None,
            )
        )
    return rows


def _back_url(request):
    """The page the budget was opened from (a subsidy request's step), if it is ours."""
    target = request.GET.get("retour", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit(request, pk):
    budget = _editable_budget(request, pk)
    back = _back_url(request)
    if refusal := _refuse_if_frozen(request, budget):
        return refusal
    choices = _authority_choices()
    kwargs = {"prefix": "lines", "form_kwargs": {"authority_choices": choices}}
    if request.method == "POST":
        header = BudgetHeaderForm(request.POST, instance=budget)
        formset = BudgetLineFormSet(request.POST, initial=_line_initial(budget), **kwargs)
        if header.is_valid() and formset.is_valid():
            fields = {name: header.cleaned_data[name] for name in header.Meta.fields}
            version = parse_datetime(request.POST.get("version", ""))
            try:
                budget_lines_save(
                    budget,
                    _rows_from(formset),
                    user=request.user,
                    fields=fields,
                    expected_version=version,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Le budget a été enregistré.")
                return redirect(back or budget)
    else:
        header = BudgetHeaderForm(instance=budget)
        formset = BudgetLineFormSet(initial=_line_initial(budget), **kwargs)
    planned = None
    if budget.is_realised:
        forecast = (
            AssociationBudget.objects.filter(
                association_id=budget.association_id,
                year=budget.year,
                kind=AssociationBudget.Kind.FORECAST,
            )
            .prefetch_related("lines")
            .first()
        )
        planned = _planned_amounts(forecast)
    ctx = {
        "budget": budget,
        "association": budget.association,
        "header": header,
        "formset": formset,
        "groups": _groups(formset, planned),
        "show_forecast": planned is not None,
        "accounts": [(a, label) for a, label, _ in chart.standard_lines()],
        "version": budget.updated_at.isoformat(),
        "back": back,
    }
    return render(request, "associations/budgets/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def budget_import_view(request, pk):
    budget = _editable_budget(request, pk, lines=False)
    back = _back_url(request)
    if refusal := _refuse_if_frozen(request, budget):
        return refusal
    form = BudgetImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > import_jobs.inline_limit():
            job, _created = import_jobs.start_budget_import(
                budget=budget, upload=upload, user=request.user
            )
            return redirect(job)
        result = budget_import(budget, upload, user=request.user)
        if result.ok:
            messages.success(
                request,
                f"Import réussi : {result.lines_written} lignes enregistrées. Vérifiez les "
                "incohérences signalées ci-dessous.",
            )
            return redirect(back or budget)
    ctx = {
        "budget": budget,
        "association": budget.association,
        "form": form,
        "result": result,
        "back": back,
    }
    return render(request, "associations/budgets/import.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def budget_delete_view(request, pk):
    budget = _editable_budget(request, pk, lines=False)
    if request.method == "POST":
        association = budget.association
        try:
            budget_delete(budget, user=request.user)
        except ProtectedError:  # a convention holding it as its annex I
            messages.error(
                request, "Ce budget est l'annexe d'une convention : il ne peut pas être supprimé."
            )
            return redirect(budget)
        messages.success(request, "Le budget a été supprimé.")
        return redirect("association_budget_list", association.pk)
    ctx = {"budget": budget, "association": budget.association}
    return render(request, "associations/budgets/confirm_delete.html", ctx)


# -- Files ---------------------------------------------------------------------------------


def _xlsx_response(content, filename):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def budget_template(request):
    return _xlsx_response(budget_workbook(), "modele-budget-association.xlsx")


@login_required
def budget_export(request, pk):
    budget = _visible_budget(request.user, pk)
    name = f"budget-{budget.kind}-{budget.year}-association-{budget.association_id}.xlsx"
    return _xlsx_response(budget_workbook(budget), name)
