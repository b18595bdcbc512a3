"""Dashboards (staff and consultation) and the annual annex list of subsidies.

Who sees: grants.access.can_view_dashboards (association managers get 403). Each figure comes
from grants.dashboards.selectors with a fixed number of queries; each table exports to Excel.
"""

import tempfile

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from grants.access import dashboards_required
from grants.dashboards import annex, charts, exports, selectors
from grants.dashboards.forms import Selection
from grants.finance.exports import XLSX_CONTENT_TYPE, write_workbook

ANNEX_PAGE_SIZE = 50


def _figures(selection, only=None):
    """The plain data of each block of the page (of the block `only` for an export)."""
    user, authority, years = selection.user, selection.authority, selection.years
    figures = {}
    if only == "totaux":
        figures["totals"] = selectors.totals_by_year(user, authority, years)
    if only in selectors.DIMENSIONS:
        figures[only] = selectors.breakdown(user, authority, years, selectors.DIMENSIONS[only])
    if only is None:
        # The page shows the three groupings; the totals are read once (2 queries) and each
        # grouping costs its 2 GROUP BY.
        figures["totals"] = selectors.totals_by_year(user, authority, years)
        for slug, dimension in selectors.DIMENSIONS.items():
            figures[slug] = selectors.breakdown(
                user, authority, years, dimension, totals=figures["totals"]
            )
    if only in (None, "mois"):
        figures["mois"] = selectors.payments_by_month(user, authority, years)
    if only in (None, "lignes"):
        figures["lignes"] = selectors.budget_consumption(user, authority, years)
    if only is None:
        figures["justificatifs"] = selectors.late_justificatifs(
            user, authority, years, timezone.localdate()
        )
    if only == "justificatifs":
        figures["justificatifs"] = selectors.late_queryset(
            user, authority, years, timezone.localdate()
        )
    if only in (None, "beneficiaires"):
        figures["beneficiaires"] = selectors.largest_beneficiaries(user, authority, years)
    return figures


def _table(block, figures, years):
    if block == "totaux":
        return exports.totals_table(figures["totals"], years)
    if block in selectors.DIMENSIONS:
        return exports.breakdown_table(figures[block])
    if block == "mois":
        return exports.months_table(figures["mois"])
    if block == "lignes":
        return exports.budget_table(figures["lignes"])
    if block == "justificatifs":
        return exports.late_table(figures["justificatifs"], timezone.localdate())
    return exports.beneficiaries_table(figures["beneficiaires"], years)


BLOCKS = ("totaux", *selectors.DIMENSIONS, "mois", "lignes", "justificatifs", "beneficiaires")


@dashboards_required
def dashboard(request):
    selection = Selection(request.user, request.GET)
    ctx = {"selection": selection, "form": selection.form, "errors": selection.errors}
    if selection.authority is None:
        return render(request, "grants/dashboards/dashboard.html", ctx)
    figures = _figures(selection)
    years, measure = selection.years, selection.measure
    export = reverse("dashboard_export", args=["BLOCK"])
    query = selection.query()
    groupings = [
        {
            "dimension": dimension,
            "breakdown": figures[slug],
            "chart": charts.breakdown_chart(figures[slug], measure),
            "export_url": f"{export.replace('BLOCK', slug)}?{query}",
        }
        for slug, dimension in selectors.DIMENSIONS.items()
    ]
    ctx.update(
        authority=selection.authority,
        years=years,
        year=selection.year,
        measure_label=selectors.MEASURE_LABELS[measure],
        measures=selectors.MEASURES,
        totals=[(year, figures["totals"][year]) for year in years],
        groupings=groupings,
        months=figures["mois"],
        months_chart=charts.months_chart(figures["mois"]),
        budget=figures["lignes"],
        budget_chart=charts.budget_chart(figures["lignes"]),
        budget_totals=[(year, figures["lignes"].totals[year]) for year in years],
        late=figures["justificatifs"],
        late_chart=charts.late_chart(figures["justificatifs"]),
        beneficiaries=figures["beneficiaires"],
        beneficiaries_chart=charts.beneficiaries_chart(figures["beneficiaires"], years),
        export_urls={block: f"{export.replace('BLOCK', block)}?{query}" for block in BLOCKS},
        annex_url=f"{reverse('annex_list')}?{selection.query(span=False)}",
        max_bands=charts.MAX_BANDS,
    )
    return render(request, "grants/dashboards/dashboard.html", ctx)


def _xlsx(table_title, columns, rows, info, filename):
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        write_workbook(handle, title=table_title, columns=columns, rows=rows, info=info)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@dashboards_required
def dashboard_export(request, block):
    if block not in BLOCKS:
        raise Http404
    selection = Selection(request.user, request.GET, with_measure=False)
    if selection.authority is None:
        raise Http404
    figures = _figures(selection, only=block)
    table = _table(block, figures, selection.years)
    years = selection.years
    info = [
        ("Collectivité", selection.authority.name),
        ("Exercices", f"{years[0]} à {years[-1]}"),
        ("Exporté le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ("Par", str(request.user)),
        *table.notes,
    ]
    name = f"tableau-de-bord-{block}-{slugify(selection.authority.display_name)}-{selection.year}"
    return _xlsx(table.title, table.columns, table.rows, info, f"{name}.xlsx")


# ---- the annex list --------------------------------------------------------------------------


def _annex_selection(request):
    selection = Selection(request.user, request.GET, with_measure=False, with_span=False)
    wanted = request.GET.get("document") or annex.ACCOUNTS.slug
    document = annex.DOCUMENTS.get(wanted)
    if document is None:
        selection.errors.append(
            "Document inconnu : choisissez le budget primitif ou le compte administratif."
        )
        document = annex.ACCOUNTS
    return selection, document


@dashboards_required
def annex_list(request):
    selection, document = _annex_selection(request)
    ctx = {
        "selection": selection,
        "form": selection.form,
        "errors": selection.errors,
        "document": document,
        "documents": annex.DOCUMENTS.values(),
        "section": "annex",
    }
    if selection.authority is None:
        return render(request, "grants/dashboards/annex.html", ctx)
    queryset = annex.annex_queryset(request.user, selection.authority, selection.year, document)
    count, total = annex.annex_totals(queryset)
    paginator = Paginator(queryset, ANNEX_PAGE_SIZE)
    paginator.count = count  # already counted with the total
    page = paginator.get_page(request.GET.get("page"))
    rows = list(annex.annex_rows(page.object_list)) if count else []
    query = selection.query(span=False, document=document.slug)
    ctx.update(
        authority=selection.authority,
        year=selection.year,
        page=page,
        rows=rows,
        count=count,
        total=total,
        legal_reference=annex.LEGAL_REFERENCE,
        nature_note=annex.NATURE_NOTE,
        shows_state=document == annex.BUDGET,
        xlsx_url=f"{reverse('annex_xlsx')}?{query}",
        pdf_url=f"{reverse('annex_pdf')}?{query}",
        dashboard_url=f"{reverse('dashboard')}?{selection.query()}",
    )
    return render(request, "grants/dashboards/annex.html", ctx)


@dashboards_required
def annex_xlsx(request):
    selection, document = _annex_selection(request)
    if selection.authority is None:
        raise Http404
    authority, year = selection.authority, selection.year
    queryset = annex.annex_queryset(request.user, authority, year, document)
    return _xlsx(
        f"Subventions {year}",
        annex.COLUMNS,
        annex.annex_rows(queryset),
        annex.annex_info(authority, year, document, request.user),
        f"{annex.file_stem(authority, year, document)}.xlsx",
    )


@dashboards_required
def annex_pdf(request):
    selection, document = _annex_selection(request)
    if selection.authority is None:
        raise Http404
    authority, year = selection.authority, selection.year
    name = annex.stored_pdf(request.user, authority, year, document)
    if name is None:
        return render(
            request,
            "grants/dashboards/annex_pending.html",
            {"document": document, "year": year, "authority": authority},
            status=202,
        )
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{annex.file_stem(authority, year, document)}.pdf",
        content_type="application/pdf",
    )
