"""Small ORM helpers every app shares."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def locked(instance, *related):
    """The row of `instance` again, locked until the end of the transaction (SELECT … FOR
    UPDATE of that row only), with `related` joined in the same query."""
    rows = type(instance)._default_manager.select_for_update(of=("self",))
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=instance.pk)


def count_subquery(queryset, group):
    """The number of rows of `queryset` per `group` (a correlated Subquery, 0 when none): a
    per-row count for list pages that does not turn the page's query into a GROUP BY."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def counts(querysets):
    """The number of rows of each queryset, in one query (one scalar subquery each) instead of
    one round trip per count: the staff home's lines of work."""
    from grants.models import Authority

    if not querysets:
        return []
    names = [f"n{index}" for index in range(len(querysets))]
    exprs = {
        name: Coalesce(
            Subquery(
                queryset.order_by()
                .annotate(_all=Value(1))
                .values("_all")
                .annotate(n=Count("*"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        for name, queryset in zip(names, querysets, strict=True)
    }
    # Any one-row table would do: the subqueries are not correlated to it.
    row = Authority.objects.order_by().annotate(**exprs).values(*names)[:1]
    values = list(row)
    if not values:  # no authority yet: count one by one
        return [queryset.count() for queryset in querysets]
    return [values[0][name] for name in names]
