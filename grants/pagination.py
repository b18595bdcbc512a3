from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE, count_queryset=None, count=None):
    """Paginate a list; counts on the plain filtered queryset, never on an annotated one, or
    takes the `count` the page already read (with its totals row, in one aggregate)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    elif count_queryset is not None:
        paginator.count = count_queryset.count()
    return paginator.get_page(request.GET.get("page"))
