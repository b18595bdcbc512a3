import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from conventions.manager_space import manager_dashboard
from conventions.models import Convention, Justificatif
from grants import rules
from grants.finance.filters import PaymentFilter
from grants.models import Grant, Payment
from grants.templatetags.fr import euros0


def _link(name, **params):
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def staff_todo(user):
    """What waits for the authority's staff, one count query per line, each with its list."""
    payments = Payment.objects.visible_to(user)
    conventions = Convention.objects.visible_to(user)
    covered = Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))
    status = Convention.Status
    lines = [
        (
            "Justificatifs déposés à examiner",
            Justificatif.objects.visible_to(user).filter(
                is_current=True, status=Justificatif.Status.SUBMITTED
            ),
            _link("justificatif_queue"),
        ),
        (
            "Demandes de versement : service fait à certifier",
            payments.filter(status=Payment.Status.REQUESTED),
            _link("finance_queue", state=PaymentFilter.TO_CERTIFY),
        ),
        (
            "Versements à mandater",
            payments.filter(status=Payment.Status.CERTIFIED),
            _link("finance_queue", state=PaymentFilter.TO_ORDER),
        ),
        (
            "Versements en retard (service fait depuis plus de 30 jours)",
            payments.overdue(timezone.now()),
            _link("finance_queue", state=PaymentFilter.OVERDUE),
        ),
        (
            "Conventions prêtes à signer par l'association",
            conventions.filter(status=status.READY),
            _link("convention_list", status=status.READY),
        ),
        (
            "Conventions signées par l'association, à signer par la collectivité",
            conventions.filter(status=status.SIGNED_ASSOCIATION),
            _link("convention_list", status=status.SIGNED_ASSOCIATION),
        ),
        (
            f"Subventions de plus de {euros0(rules.CONVENTION_THRESHOLD)} sans convention",
            Grant.objects.visible_to(user)
            .filter(amount__gt=rules.CONVENTION_THRESHOLD)
            .filter(~Exists(covered)),
            _link("grants_missing_convention"),
        ),
    ]
    counted = [(label, queryset.count(), url) for label, queryset, url in lines]
    return [(label, count, url) for label, count, url in counted if count]


@login_required
def home(request):
    """A home page per role, useful even when there is nothing yet."""
    user = request.user
    year = datetime.date.today().year
    if user.is_manager:
        return render(request, "grants/home_manager.html", manager_dashboard(user))

    associations = Association.objects.visible_to(user)
    grants = Grant.objects.visible_to(user)
    totals = grants.values("year").annotate(total=Sum("amount"), count=Count("id"))
    totals = sorted(totals, key=lambda row: row["year"], reverse=True)[:5]
    ctx = {
        "year": year,
        "association_count": associations.count(),
        "recent_associations": associations.select_related("structure_type").order_by(
            "-created_at"
        )[:5],
        "grant_totals": totals,
        "authority": user.authority,
        "todo": staff_todo(user),
    }
    return render(request, "grants/home_staff.html", ctx)
