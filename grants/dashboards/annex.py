"""The annual list of the subsidies granted to associations, annexed to the budget and to the
compte administratif (CGCT L.2313-1 for communes of 3 500 inhabitants or more, L.5211-36 for
their EPCI): beneficiary, object, amount and nature of each subsidy of the year.

- Budget (budget primitif): the grants of the year voted or proposed (not yet voted), each
  marked, since the budget is voted before many of its subsidies.
- Compte administratif: the grants of the year whose deliberation is adopted.
A grant whose deliberation was rejected is in neither.

The rows are plain tuples read with `values_list(...).iterator()` (constant memory), used by the
page, the XLSX and the PDF alike. The PDF (WeasyPrint, about a second per ten pages) is built by
a background task and stored under MEDIA_ROOT, named after the SHA-256 of its HTML: the same
list is never laid out twice.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Sum
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from grants import pdf as safe_pdf
from grants.dashboards.selectors import PROPOSED, VOTED, VOTED_STATUSES, ZERO
from grants.finance.exports import CHUNK_SIZE, Column
from grants.models import Authority, Grant, GrantNature, User


@dataclass(frozen=True)
class Document:
    slug: str
    label: str
    title: str


BUDGET = Document("budget", "Budget primitif", "Annexe au budget primitif")
ACCOUNTS = Document(
    "compte-administratif", "Compte administratif", "Annexe au compte administratif"
)
DOCUMENTS = {d.slug: d for d in (BUDGET, ACCOUNTS)}

LEGAL_REFERENCE = (
    "Liste des concours attribués sous forme de subventions aux associations "
    "(articles L.2313-1 et L.5211-36 du code général des collectivités territoriales)."
)
NATURE_NOTE = "Toutes les subventions de cette liste sont des aides en numéraire."

COLUMNS = [
    Column("Bénéficiaire", "text", 40),
    Column("SIRET / SIREN", "text", 16),
    Column("Objet", "text", 56),
    Column("Nature", "text", 22),
    Column("Montant", "money", 16, total=True),
    Column("État", "text", 10),
    Column("Délibération", "text", 16),
    Column("Date du vote", "date", 13),
]


def annex_queryset(user, authority, year, document):
    grants = Grant.objects.visible_to(user).filter(authority=authority, year=year)
    condition = VOTED if document == ACCOUNTS else VOTED | PROPOSED
    return grants.filter(condition).order_by("association__name", "association_id", "pk")


FIELDS = (
    "association__name",
    "association__siret",
    "association__siren",
    "object",
    "nature",
    "amount",
    "deliberation__status",
    "deliberation__number",
    "deliberation__session__date",
)


def annex_rows(queryset):
    """One tuple per grant, in the columns' order."""
    natures = dict(GrantNature.choices)
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        name, siret, siren, obj, nature, amount, status, number, voted_on = row
        voted = status in VOTED_STATUSES
        yield (
            name,
            siret or siren or None,
            obj,
            natures.get(nature, nature),
            amount,
            "votée" if voted else "proposée",
            number or None,
            voted_on if voted else None,
        )


def annex_totals(queryset):
    totals = queryset.order_by().aggregate(count=Count("pk"), total=Sum("amount", default=ZERO))
    return totals["count"], totals["total"]


def annex_info(authority, year, document, user):
    return [
        ("Collectivité", authority.name),
        ("SIREN", authority.siren),
        ("Exercice", year),
        ("Document", document.label),
        ("Objet", LEGAL_REFERENCE),
        ("Nature", NATURE_NOTE),
        ("Exporté le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ("Par", str(user)),
    ]


def file_stem(authority, year, document):
    return f"annexe-subventions-{document.slug}-{year}-{authority.siren}"


# ---- PDF -------------------------------------------------------------------------------------


def annex_data(user, authority, year, document):
    """Everything the PDF prints, as plain data."""
    queryset = annex_queryset(user, authority, year, document)
    count, total = annex_totals(queryset)
    return {
        "authority": authority,
        "year": year,
        "document": document,
        "legal_reference": LEGAL_REFERENCE,
        "nature_note": NATURE_NOTE,
        "rows": list(annex_rows(queryset)),
        "count": count,
        "total": total,
        "shows_state": document == BUDGET,
    }


def annex_html(user, authority, year, document):
    return render_to_string(
        "grants/dashboards/annex_pdf.html", annex_data(user, authority, year, document)
    )


def pdf_name(authority, html):
    digest = hashlib.sha256(html.encode()).hexdigest()
    return f"annexes/{authority.pk}/{digest}.pdf"


@task
def build_annex_pdf(user_id, authority_id, year, document_slug):
    """Lay the list out and store it under its HTML's fingerprint (background task)."""
    user = User.objects.get(pk=user_id)
    authority = Authority.objects.get(pk=authority_id)
    html = annex_html(user, authority, year, DOCUMENTS[document_slug])
    name = pdf_name(authority, html)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(safe_pdf.render_pdf(html)))
    return name


def stored_pdf(user, authority, year, document):
    """The stored PDF's name if this exact list was already laid out, else None, and the task
    started to build it (with the immediate backend it is built at once)."""
    html = annex_html(user, authority, year, document)
    name = pdf_name(authority, html)
    if default_storage.exists(name):
        return name
    build_annex_pdf.enqueue(user.pk, authority.pk, year, document.slug)
    return name if default_storage.exists(name) else None
