"""Pages of the indicator definitions: sets per structure type and year, and their indicators.

Every staff role of the authority reads them; instructors and administrators write them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from associations.indicators import services
from associations.indicators.filters import IndicatorSetFilter
from associations.indicators.forms import (
    IndicatorForm,
    IndicatorSetCopyForm,
    IndicatorSetForm,
    indicator_depths,
)
from associations.indicators.models import Indicator, IndicatorReport, IndicatorSet
from associations.models import Association
from grants import access
from grants.access import instructor_required, staff_required
from grants.pagination import paginate
from grants.queries import count_subquery


def _visible_set(user, pk):
    return get_object_or_404(
        IndicatorSet.objects.visible_to(user).select_related("authority", "structure_type"),
        pk=pk,
    )


@staff_required
def set_list(request):
    queryset = IndicatorSet.objects.visible_to(request.user)
    set_filter = IndicatorSetFilter(request.GET, queryset=queryset)
    filtered = set_filter.qs
    if not request.GET.get("ordering"):
        filtered = filtered.order_by("-year", "structure_type__name", "pk")
    reports = IndicatorReport.objects.filter(indicator_set=OuterRef("pk"))
    rows = filtered.select_related("authority", "structure_type").annotate(
        indicator_count=count_subquery(
            Indicator.objects.filter(indicator_set=OuterRef("pk")), "indicator_set"
        ),
        report_count=count_subquery(reports, "indicator_set"),
        submitted_count=count_subquery(
            reports.filter(status=IndicatorReport.Status.SUBMITTED), "indicator_set"
        ),
    )
    ctx = {
        "filter": set_filter,
        "page": paginate(request, rows, count_queryset=filtered),
        "can_define": access.can_define_sets(request.user),
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
    }
    return render(request, "associations/indicators/set_list.html", ctx)


@staff_required
def set_detail(request, pk):
    indicator_set = _visible_set(request.user, pk)
    indicators = list(indicator_set.indicators.all())
    by_pk = {indicator.pk: indicator for indicator in indicators}
    depth = indicator_depths(indicators)
    parents = {i.parent_id for i in indicators}
    rows = [
        {
            "indicator": i,
            "depth": depth[i.pk],
            "parent": by_pk.get(i.parent_id),
            "has_children": i.pk in parents,
        }
        for i in indicators
    ]
    reports = IndicatorReport.objects.filter(
        indicator_set=indicator_set, association=OuterRef("pk")
    )
    concerned = Association.objects.visible_to(request.user).filter(
        Q(
            authority_id=indicator_set.authority_id,
            structure_type_id=indicator_set.structure_type_id,
        )
        | Q(
            pk__in=IndicatorReport.objects.filter(indicator_set=indicator_set).values("association")
        )
    )
    associations = concerned.order_by("name", "pk").annotate(
        report_status=Subquery(reports.values("status")[:1]),
        report_submitted_at=Subquery(reports.values("submitted_at")[:1]),
    )
    ctx = {
        "indicator_set": indicator_set,
        "rows": rows,
        "page": paginate(request, associations, count_queryset=concerned),
        "can_define": access.can_define_sets(request.user),
    }
    return render(request, "associations/indicators/set_detail.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def set_create(request):
    form = IndicatorSetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.updated_by = request.user
        indicator_set = form.save()
        messages.success(request, "Le jeu d'indicateurs a été créé : ajoutez ses indicateurs.")
        return redirect(indicator_set)
    return render(
        request, "associations/indicators/set_form.html", {"form": form, "indicator_set": None}
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def set_edit(request, pk):
    indicator_set = _visible_set(request.user, pk)
    form = IndicatorSetForm(request.POST or None, instance=indicator_set, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.updated_by = request.user
        form.save()
        messages.success(request, "Le jeu d'indicateurs a été enregistré.")
        return redirect(indicator_set)
    ctx = {"form": form, "indicator_set": indicator_set}
    return render(request, "associations/indicators/set_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def set_copy(request, pk):
    source = _visible_set(request.user, pk)
    form = IndicatorSetCopyForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.indicator_set_copy(
                source,
                year=form.cleaned_data["year"],
                structure_type=form.cleaned_data["structure_type"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Le jeu {target.year} a été créé avec les indicateurs et les codes du jeu "
                f"{source.year} : les valeurs des deux années se comparent.",
            )
            return redirect(target)
    ctx = {"form": form, "indicator_set": source}
    return render(request, "associations/indicators/set_copy.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk):
    indicator_set = _visible_set(request.user, pk)
    form = IndicatorForm(
        request.POST or None,
        indicator_set=indicator_set,
        initial={"position": services.next_position(indicator_set)},
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "L'indicateur a été ajouté.")
        return redirect(indicator_set)
    ctx = {"form": form, "indicator_set": indicator_set, "indicator": None}
    return render(request, "associations/indicators/indicator_form.html", ctx)


def _visible_indicator(user, pk):
    return get_object_or_404(
        Indicator.objects.filter(
            indicator_set__in=IndicatorSet.objects.visible_to(user)
        ).select_related("indicator_set__authority", "indicator_set__structure_type"),
        pk=pk,
    )


@instructor_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk):
    indicator = _visible_indicator(request.user, pk)
    indicator_set = indicator.indicator_set
    form = IndicatorForm(request.POST or None, instance=indicator, indicator_set=indicator_set)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "L'indicateur a été enregistré.")
        return redirect(indicator_set)
    ctx = {"form": form, "indicator_set": indicator_set, "indicator": indicator}
    return render(request, "associations/indicators/indicator_form.html", ctx)


@instructor_required
@require_http_methods(["GET", "POST"])
def indicator_delete(request, pk):
    indicator = _visible_indicator(request.user, pk)
    indicator_set = indicator.indicator_set
    error = None
    if request.method == "POST":
        try:
            services.indicator_delete(indicator, request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"L'indicateur « {indicator.label} » a été supprimé.")
            return redirect(indicator_set)
    ctx = {
        "indicator": indicator,
        "indicator_set": indicator_set,
        "children": list(indicator.children.all()),
        "error": error,
    }
    return render(request, "associations/indicators/indicator_delete.html", ctx)
