"""The SCDL « subventions » 2.1.1 file of an authority's grants of one year.

Each grant becomes one row mapped as DOMAIN §7 says (application grants) or as it was read
(imported grants). A grant that cannot be published validly is not written: it is returned with
its reasons, so the staff page and the command line can say what to fix.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from conventions.models import Convention
from grants.models import Grant, Payment
from grants.opendata import scdl

# Décret 2017-779: the data of subsidies above 23 000 € is published.
PUBLICATION_THRESHOLD = Decimal("23000.00")


@dataclass
class ExportLine:
    grant: Grant
    row: dict | None = None
    reasons: list = field(default_factory=list)

    @property
    def published(self):
        return self.row is not None


def grants_of_year(authority, year, *, include_all=False):
    """The grants of the year the export reads, with everything the mapping needs (4 queries)."""
    conventions = Convention.objects.exclude(status=Convention.Status.TERMINATED).prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.filter(status__in=Payment.LIVE_STATUSES).only(
                "id", "convention_id", "status", "paid_date", "order_date"
            ),
            to_attr="live_payments",
        )
    )
    queryset = (
        Grant.objects.filter(authority=authority, year=year)
        .select_related("association", "deliberation__session", "imported_record")
        .prefetch_related(Prefetch("conventions", queryset=conventions, to_attr="open_conventions"))
        .order_by("association__name", "pk")
    )
    if not include_all:
        queryset = queryset.filter(
            Q(imported_record__isnull=True, amount__gt=PUBLICATION_THRESHOLD)
            | Q(imported_record__total_amount__gt=PUBLICATION_THRESHOLD)
        )
    return queryset


def _imported_row(grant, record):
    return {
        "nomAttribuant": record.attributor_name,
        "idAttribuant": record.attributor_siret,
        "dateConvention": record.convention_date.isoformat(),
        "referenceDecision": record.decision_reference,
        "nomBeneficiaire": record.beneficiary_name,
        "idBeneficiaire": record.beneficiary_siret,
        "rnaBeneficiaire": record.beneficiary_rna,
        "objet": grant.object,
        "montant": scdl.format_decimal(record.total_amount),
        "nature": record.nature,
        "conditionsVersement": record.payment_conditions,
        "datesPeriodeVersement": record.payment_dates,
        "idRAE": record.rae_id,
        "notificationUE": "oui" if record.eu_notification else "non",
        "pourcentageSubvention": scdl.format_decimal(record.percentage.normalize()),
        "dispositifAide": grant.aid_scheme_label,
    }


def convention_date(grant, convention):
    """The later of the two signatures; else the day the deliberation was voted (a light
    deliberation has no session: its typed session date)."""
    if convention and convention.association_signed_at and convention.authority_signed_at:
        return max(convention.association_signed_at, convention.authority_signed_at)
    deliberation = grant.deliberation
    if deliberation is not None and deliberation.is_adopted:
        return deliberation.decision_date
    return None


def payment_terms(grant, convention):
    """(conditionsVersement, datesPeriodeVersement) from the payments planned and made."""
    payments = convention.live_payments if convention else []
    staged = len(payments) > 1 or bool(convention and convention.advance_percentage > 0)
    conditions = scdl.CONDITION_STAGED if staged else scdl.CONDITION_SINGLE
    dates = [p.paid_date or p.order_date for p in payments if p.paid_date or p.order_date]
    if dates:
        return conditions, scdl.format_period(dates)
    # No payment made yet: the period in which they will be, as the schema allows.
    if convention and convention.start_date and convention.end_date:
        return conditions, scdl.format_period([convention.start_date, convention.end_date])
    return conditions, f"{grant.year}-01-01/{grant.year}-12-31"


def _application_row(grant, authority):
    reasons = []
    deliberation = grant.deliberation
    if deliberation is not None and not deliberation.is_adopted:
        reasons.append(f"la délibération n° {deliberation.number} n'est pas encore adoptée")
    convention = grant.open_conventions[0] if grant.open_conventions else None
    signed_on = convention_date(grant, convention)
    if signed_on is None and not reasons:
        reasons.append(
            "pas de date de convention : ni convention signée par les deux parties ni "
            "délibération adoptée"
        )
    association = grant.association
    if not association.siret and not association.rna:
        reasons.append(f"l'association « {association.name} » n'a ni SIRET ni numéro RNA")
    if reasons:
        return None, reasons
    conditions, period = payment_terms(grant, convention)
    return {
        "nomAttribuant": authority.name,
        "idAttribuant": authority.siret,
        "dateConvention": signed_on.isoformat(),
        "referenceDecision": deliberation.number if deliberation else "",
        "nomBeneficiaire": association.name,
        "idBeneficiaire": association.siret,
        "rnaBeneficiaire": association.rna,
        "objet": grant.object,
        "montant": scdl.format_decimal(grant.amount),
        "nature": scdl.NATURE_CASH,
        "conditionsVersement": conditions,
        "datesPeriodeVersement": period,
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
        "dispositifAide": grant.aid_scheme_label,
    }, []


def _clean(row):
    text_columns = (
        "nomAttribuant",
        "referenceDecision",
        "nomBeneficiaire",
        "objet",
        "conditionsVersement",
        "dispositifAide",
    )
    for column in text_columns:
        row[column] = scdl.plain_text(row[column])
    row["objet"] = scdl.shorten(row["objet"])
    return row


def export_line(grant, authority):
    record = getattr(grant, "imported_record", None)
    if record is not None:
        row, reasons = _imported_row(grant, record), []
    else:
        row, reasons = _application_row(grant, authority)
    if row is None:
        return ExportLine(grant, None, reasons)
    row = _clean(row)
    if not authority.siret and not row["idAttribuant"]:
        return ExportLine(grant, None, [f"la collectivité « {authority.name} » n'a pas de SIRET"])
    problems = scdl.check_row(row)
    if problems:
        return ExportLine(grant, None, [f"{p.column} : {p.message}" for p in problems])
    return ExportLine(grant, row, [])


def export_lines(authority, year, *, include_all=False):
    """Every grant of the year with its row, or the reasons it cannot be published."""
    for grant in grants_of_year(authority, year, include_all=include_all).iterator(chunk_size=500):
        yield export_line(grant, authority)


class _Echo:
    def write(self, value):
        return value


def csv_chunks(authority, year, *, include_all=False, refused=None):
    """The CSV file as text pieces (header first), for streaming; refused lines are appended
    to `refused` when given."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(scdl.COLUMNS)
    for line in export_lines(authority, year, include_all=include_all):
        if line.published:
            yield writer.writerow([line.row[column] for column in scdl.COLUMNS])
        elif refused is not None:
            refused.append(line)


def write_csv(handle, authority, year, *, include_all=False):
    """Write the file to a text handle; return the lines that were not published."""
    refused = []
    for chunk in csv_chunks(authority, year, include_all=include_all, refused=refused):
        handle.write(chunk)
    return refused


def file_name(authority, year):
    return f"subventions-{year}.csv"


def years_with_grants(authority):
    """The years for which the authority has grants, newest first."""
    return list(
        Grant.objects.filter(authority=authority)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def years_with_publishable_counts(authority):
    """[(year, number of grants above 23 000 €)] for every year with grants, newest first: the
    public page links a year's file only when it holds a grant (1 query)."""
    above = Q(imported_record__isnull=True, amount__gt=PUBLICATION_THRESHOLD) | Q(
        imported_record__total_amount__gt=PUBLICATION_THRESHOLD
    )
    rows = (
        Grant.objects.filter(authority=authority)
        .order_by()
        .values("year")
        .annotate(publishable=Count("pk", filter=above))
        .order_by("-year")
    )
    return [(row["year"], row["publishable"]) for row in rows]
