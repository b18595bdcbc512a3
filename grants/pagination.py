from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE, count_queryset=None):
    """Paginate a list; counts on the plain filtered queryset, never on an annotated one."""
    paginator = Paginator(queryset, per_page)
    if count_queryset is not None:
        paginator.count = count_queryset.count()
    return paginator.get_page(request.GET.get("page"))
