"""Read queries of the list pages: per-row counts and sums as correlated subqueries, evaluated
for the rows shown only (never annotate(Count/Sum) on a paginated list)."""

from decimal import Decimal

from django.db import connections
from django.db.models import DecimalField, OuterRef, Q, StringAgg, Subquery, Sum, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from deliberations.models import Attendance, Deliberation, Member, Session
from grants.models import Grant
from grants.queries import count_subquery


def deliberations_for_list(user):
    total = (
        Grant.objects.filter(deliberation=OuterRef("pk"))
        .order_by()
        .values("deliberation")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return (
        Deliberation.objects.visible_to(user)
        .select_related("session__body", "authority")
        .defer("statement")
        .annotate(
            grants_total=Coalesce(
                Subquery(total, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Decimal("0"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )


BENEFICIARIES_ORDER = ("-year", "association__name", "pk")  # the grants' order


def with_beneficiaries(deliberations):
    """The page of deliberations, each with `beneficiaries`: the short names (acronym, else
    name) of its grants' associations, in the grants' order. Read in the page's own query where
    the database orders inside an aggregate (PostgreSQL, SQLite 3.44+); elsewhere by one query
    of plain tuples for the page (`add_beneficiaries`). Returns the rows of the page."""
    if not connections[deliberations.db].features.supports_aggregate_order_by_clause:
        return add_beneficiaries(list(deliberations))
    names = (
        Grant.objects.filter(deliberation=OuterRef("pk"))
        .order_by()
        .values("deliberation")
        .annotate(
            names=StringAgg(
                Coalesce(NullIf("association__acronym", Value("")), "association__name"),
                Value(", "),
                order_by=BENEFICIARIES_ORDER,
            )
        )
        .values("names")[:1]
    )
    beneficiaries = Coalesce(Subquery(names), Value(""), output_field=TextField())
    return list(deliberations.annotate(beneficiaries=beneficiaries))


def add_beneficiaries(deliberations):
    """`beneficiaries` set on the deliberations shown, from one query of plain tuples for the
    page (no Grant or Association instances, no loop in the template)."""
    names = {}
    rows = (
        Grant.objects.filter(deliberation__in=[d.pk for d in deliberations])
        .order_by(*BENEFICIARIES_ORDER)
        .values_list("deliberation_id", "association__acronym", "association__name")
    )
    for deliberation_id, acronym, name in rows:
        names.setdefault(deliberation_id, []).append(acronym or name)
    for deliberation in deliberations:
        deliberation.beneficiaries = ", ".join(names.get(deliberation.pk, []))
    return deliberations


def sessions_for_list(user):
    in_office = Member.objects.filter(body=OuterRef("body"), mandate_start__lte=OuterRef("date"))
    in_office = in_office.filter(Q(mandate_end__isnull=True) | Q(mandate_end__gte=OuterRef("date")))
    attendances = Attendance.objects.filter(session=OuterRef("pk"))
    return (
        Session.objects.visible_to(user)
        .select_related("body__authority")
        .annotate(
            in_office_count=count_subquery(in_office, "body"),
            present_count=count_subquery(
                attendances.filter(status=Attendance.Status.PRESENT), "session"
            ),
            proxies_count=count_subquery(
                attendances.filter(status=Attendance.Status.REPRESENTED), "session"
            ),
            deliberation_count=count_subquery(
                Deliberation.objects.filter(session=OuterRef("pk")), "session"
            ),
        )
    )
