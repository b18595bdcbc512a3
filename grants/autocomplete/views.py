"""The JSON behind the search fields: at most 20 suggestions, each from the user's own
`visible_to` queryset, searched by name or number. One view per model family."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse

from associations.models import Association, AssociationBudget
from conventions.models import Convention
from deliberations.models import Deliberation
from grants.models import BudgetLine, User
from grants.templatetags.fr import euros

LIMIT = 20


def _terms(request):
    return (request.GET.get("q") or "").split()[:5]


def _respond(rows):
    return JsonResponse({"results": [{"id": pk, "text": text} for pk, text in rows]})


def _int_param(request, name):
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


@login_required
def associations(request):
    queryset = Association.objects.visible_to(request.user)
    for term in _terms(request):
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(acronym__icontains=term) | Q(siren__startswith=term)
        )
    rows = queryset.order_by("name", "pk").values_list("pk", "name", "city")[:LIMIT]
    return _respond((pk, f"{name} ({city})" if city else name) for pk, name, city in rows)


@login_required
def deliberations(request):
    queryset = Deliberation.objects.visible_to(request.user)
    for term in _terms(request):
        queryset = queryset.filter(Q(number__icontains=term) | Q(title__icontains=term))
    rows = queryset.order_by("-number").values_list("pk", "number", "title")[:LIMIT]
    return _respond((pk, f"Délibération n° {number} — {title[:80]}") for pk, number, title in rows)


@login_required
def conventions(request):
    queryset = Convention.objects.visible_to(request.user)
    for term in _terms(request):
        queryset = queryset.filter(Q(number__icontains=term) | Q(association__name__icontains=term))
    rows = queryset.order_by("-year", "number").values_list(
        "pk", "number", "association__name", "year"
    )[:LIMIT]
    return _respond(
        (pk, f"Convention n° {number or '(sans numéro)'} — {name} — {year}")
        for pk, number, name, year in rows
    )


@login_required
def budgets(request):
    """Forecast budgets, narrowed to one association when the form gives it."""
    queryset = AssociationBudget.objects.visible_to(request.user).filter(
        kind=AssociationBudget.Kind.FORECAST
    )
    association = _int_param(request, "association")
    if association is not None:
        queryset = queryset.filter(association_id=association)
    for term in _terms(request):
        queryset = queryset.filter(Q(association__name__icontains=term) | Q(year__startswith=term))
    rows = queryset.order_by("-year", "association__name").values_list(
        "pk", "year", "association__name"
    )[:LIMIT]
    return _respond((pk, f"Budget prévisionnel {year} — {name}") for pk, year, name in rows)


@login_required
def budget_lines(request):
    queryset = BudgetLine.objects.visible_to(request.user)
    year = _int_param(request, "year")
    if year is not None:
        queryset = queryset.filter(year=year)
    for term in _terms(request):
        queryset = queryset.filter(
            Q(label__icontains=term) | Q(service_codes__icontains=term) | Q(nature__startswith=term)
        )
    rows = queryset.with_consumption().order_by("-year", "service_codes", "nature")[:LIMIT]
    return _respond(
        (
            line.pk,
            f"{line.year} — {line.imputation} — {line.label} — disponible {euros(line.available)}",
        )
        for line in rows
    )


@login_required
def users(request):
    """Accounts of the user's authority (staff only)."""
    user = request.user
    if not user.is_staff_member:
        return _respond([])
    queryset = User.objects.filter(is_active=True)
    if not user.is_platform_admin:
        queryset = queryset.filter(authority_id=user.authority_id)
    for term in _terms(request):
        queryset = queryset.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
        )
    rows = queryset.order_by("last_name", "username")[:LIMIT]
    return _respond((u.pk, str(u)) for u in rows)
