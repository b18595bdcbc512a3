"""Pages of the indicator reports (fill, submit, reopen) and the staff comparison.

A report is addressed by (association, set): the page exists before the report does, so that
"not filled yet" is a page and not an error. Everything starts from `visible_to(user)`: another
authority's staff and another association's managers get 404; finance officers and read-only
accounts read, and get 403 on every write.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from associations.indicators import services
from associations.indicators.chart import build_chart
from associations.indicators.checks import check_entries, format_value, report_warnings
from associations.indicators.comparison import ComparisonForm, comparison, default_indicator
from associations.indicators.filters import IndicatorReportFilter
from associations.indicators.forms import ReopenForm, ReportForm, indicator_depths
from associations.indicators.models import IndicatorReport, IndicatorSet
from associations.models import Association
from grants import access
from grants.access import staff_required
from grants.pagination import paginate

# -- Helpers -------------------------------------------------------------------------------


def _report_or_404(user, association_pk, set_pk):
    """(association, set, report or None); 404 unless the user may see them and the set applies
    to the association (or a report already exists)."""
    association = get_object_or_404(
        Association.objects.visible_to(user).select_related("authority", "structure_type"),
        pk=association_pk,
    )
    indicator_set = get_object_or_404(
        IndicatorSet.objects.visible_to(user).select_related("authority", "structure_type"),
        pk=set_pk,
    )
    report = (
        IndicatorReport.objects.filter(association=association, indicator_set=indicator_set)
        .select_related("submitted_by", "updated_by", "reopened_by")
        .first()
    )
    if report is None and not services.set_applies_to(indicator_set, association):
        raise Http404("Ce jeu d'indicateurs ne concerne pas cette association.")
    return association, indicator_set, report


def _values_table(indicators, entries):
    """Read-only rows: depth, heading, formatted values."""
    depth = indicator_depths(indicators)
    rows, group = [], None
    for indicator in indicators:
        entry = entries.get(indicator.pk)
        heading = indicator.group if indicator.group and indicator.group != group else ""
        group = indicator.group or group
        rows.append(
            {
                "indicator": indicator,
                "heading": heading,
                "depth": depth[indicator.pk],
                "entry": entry,
                "total": format_value(entry.total, indicator.unit) if entry else "",
                "women": format_value(entry.women, indicator.unit) if entry else "",
                "men": format_value(entry.men, indicator.unit) if entry else "",
            }
        )
    return rows


# -- List ----------------------------------------------------------------------------------


def _to_fill(user):
    """For managers: the sets that apply to their associations and have no report yet."""
    if not user.is_manager:
        return []
    associations = list(
        user.managed_associations.exclude(structure_type=None).select_related("authority")
    )
    if not associations:
        return []
    condition = Q()
    for association in associations:
        condition |= Q(
            authority_id=association.authority_id, structure_type_id=association.structure_type_id
        )
    sets = list(IndicatorSet.objects.filter(condition).select_related("structure_type"))
    done = set(
        IndicatorReport.objects.filter(association__in=associations).values_list(
            "association_id", "indicator_set_id"
        )
    )
    return [
        {"association": association, "indicator_set": indicator_set}
        for association in associations
        for indicator_set in sets
        if services.set_applies_to(indicator_set, association)
        and (association.pk, indicator_set.pk) not in done
    ]


@login_required
def report_list(request):
    queryset = IndicatorReport.objects.visible_to(request.user)
    report_filter = IndicatorReportFilter(request.GET, queryset=queryset)
    filtered = report_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("-indicator_set__year", "association__name", "pk")
    rows = filtered.select_related("association", "indicator_set__structure_type", "submitted_by")
    page = paginate(request, rows, count_queryset=filtered)
    ctx = {
        "filter": report_filter,
        "page": page,
        "to_fill": _to_fill(request.user),
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
    }
    return render(request, "associations/indicators/report_list.html", ctx)


# -- Report --------------------------------------------------------------------------------


@login_required
def report_detail(request, association_pk, set_pk):
    user = request.user
    association, indicator_set, report = _report_or_404(user, association_pk, set_pk)
    indicators = list(indicator_set.indicators.all())
    entries = services.entries_of(report) if report else {}
    problems, warnings = [], []
    if report is not None and not report.is_submitted:
        normalised, problems = check_entries(indicators, entries, complete=True)
        warnings = report_warnings(indicators, normalised)
    ctx = {
        "association": association,
        "indicator_set": indicator_set,
        "report": report,
        "rows": _values_table(indicators, entries),
        "problems": problems,
        "warnings": warnings,
        "can_edit": access.can_fill_report(user, association, report),
        "can_submit": access.can_submit_report(user, report),
        "can_reopen": access.can_reopen_report(user, report),
    }
    return render(request, "associations/indicators/report_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, association_pk, set_pk):
    user = request.user
    association, indicator_set, report = _report_or_404(user, association_pk, set_pk)
    if not access.can_fill_report(user, association, report):
        raise PermissionDenied
    indicators = list(indicator_set.indicators.all())
    form = ReportForm(
        request.POST or None,
        indicators=indicators,
        entries=services.entries_of(report),
        comment=report.comment if report else "",
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_save(
                association=association,
                indicator_set=indicator_set,
                entries=form.entries,
                comment=form.cleaned_data["comment"],
                user=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Les indicateurs ont été enregistrés.")
            if request.POST.get("action") == "submit" and not report.is_submitted:
                return redirect("indicator_report_submit", association.pk, indicator_set.pk)
            return redirect(report)
    ctx = {
        "association": association,
        "indicator_set": indicator_set,
        "report": report,
        "form": form,
        "rows": form.rows(),
        "can_submit": report is None or not report.is_submitted,
    }
    return render(request, "associations/indicators/report_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request, association_pk, set_pk):
    user = request.user
    association, indicator_set, report = _report_or_404(user, association_pk, set_pk)
    if not access.can_fill_report(user, association, report):
        raise PermissionDenied
    if report is None:
        messages.info(request, "Renseignez d'abord les indicateurs.")
        return redirect("indicator_report_edit", association.pk, indicator_set.pk)
    if report.is_submitted:
        messages.info(request, "Ce rapport a déjà été soumis.")
        return redirect(report)
    problems, warnings = services.submission_problems(report)
    if request.method == "POST" and not problems:
        try:
            services.report_submit(report, user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Le rapport d'indicateurs {indicator_set.year} a été soumis à "
                f"{indicator_set.authority.display_name}.",
            )
            return redirect(report)
    ctx = {
        "association": association,
        "indicator_set": indicator_set,
        "report": report,
        "problems": problems,
        "warnings": warnings,
    }
    return render(request, "associations/indicators/report_submit.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def report_reopen(request, association_pk, set_pk):
    user = request.user
    association, indicator_set, report = _report_or_404(user, association_pk, set_pk)
    if not user.can_instruct:
        raise PermissionDenied
    if report is None or not report.is_submitted:
        messages.info(request, "Ce rapport n'est pas soumis : il est déjà modifiable.")
        return redirect("indicator_report_detail", association.pk, indicator_set.pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_reopen(report, user, reason=form.cleaned_data["reason"])
        messages.success(request, "Le rapport est de nouveau modifiable par l'association.")
        return redirect(report)
    ctx = {"association": association, "indicator_set": indicator_set, "report": report}
    return render(request, "associations/indicators/report_reopen.html", {**ctx, "form": form})


# -- Comparison ----------------------------------------------------------------------------


@staff_required
def comparison_view(request):
    user = request.user
    sets = list(
        IndicatorSet.objects.visible_to(user)
        .select_related("structure_type", "authority")
        .order_by("-year", "structure_type__name", "authority__name")
    )
    data = request.GET.copy()
    form = ComparisonForm(data, sets=sets)
    indicator_set = form.chosen_set()
    indicators = list(indicator_set.indicators.all()) if indicator_set else []
    form.fields["indicator"].choices = [(i.code, i.label) for i in indicators]
    chosen = default_indicator(indicators)
    if form.is_bound and chosen is not None:
        # Another set was chosen: start from its first indicator rather than fail validation.
        if data.get("indicator") not in {i.code for i in indicators}:
            data["indicator"] = chosen.code
        data["indicator_set"] = str(indicator_set.pk)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = next((i for i in indicators if i.code == data["indicator"]), chosen)
        filters = {k: data[k] for k in ("structure_type", "year_from", "year_to")}
        filters["submitted_only"] = data["status"] == IndicatorReport.Status.SUBMITTED
    filters = {
        "structure_type": None,
        "year_from": None,
        "year_to": None,
        "submitted_only": False,
        **filters,
    }
    measure = form.cleaned_data.get("measure") if form.is_bound and form.is_valid() else ""
    if not (chosen and chosen.is_gendered):
        measure = "total"
    measure = measure or "total"
    if indicator_set is not None:
        form.fields["indicator_set"].initial = indicator_set.pk
    if chosen is not None:
        form.fields["indicator"].initial = chosen.code
    ctx = {"form": form, "indicator_set": indicator_set, "indicator": chosen, "measure": measure}
    if chosen is not None:
        years, page, rows = comparison(user, chosen, page_number=request.GET.get("page"), **filters)
        ctx.update(years=years, page=page, rows=_comparison_rows(rows, years, chosen, measure))
        if chosen.is_numeric:
            ctx["chart"] = build_chart(
                [
                    (_short_name(row.association), row.association.name, _chart_cells(row, measure))
                    for row in rows
                ],
                years,
                chosen.unit,
            )
        ctx["measure_label"] = dict(form.fields["measure"].choices)[measure]
    return render(request, "associations/indicators/comparison.html", ctx)


def _short_name(association):
    return association.acronym or association.name


def _chart_cells(row, measure):
    return {year: (cell.measure(measure), cell.is_draft) for year, cell in row.cells.items()}


def _comparison_rows(rows, years, indicator, measure):
    table = []
    for row in rows:
        cells = []
        for year in years:
            cell = row.cells.get(year)
            if cell is None:
                cells.append(None)
                continue
            cells.append(
                {
                    "cell": cell,
                    "value": format_value(cell.measure(measure), indicator.unit)
                    if indicator.is_numeric
                    else cell.text,
                    "split": indicator.is_gendered and cell.women is not None,
                    "women": format_value(cell.women, indicator.unit),
                    "men": format_value(cell.men, indicator.unit),
                }
            )
        table.append({"association": row.association, "cells": cells})
    return table
