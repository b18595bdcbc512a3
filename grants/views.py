import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Sum
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
    """What waits for the authority's staff, each line with its list: three queries (the
    justificatifs, the payments and conventions by status in one aggregate each, the grants)."""
    now = timezone.now()
    limit = now - datetime.timedelta(days=rules.PAYMENT_ORDER_TARGET_DAYS)
    P, C = Payment.Status, Convention.Status
    payments = (
        Payment.objects.visible_to(user)
        .filter(status__in=[P.REQUESTED, P.CERTIFIED])
        .aggregate(
            requested=Count("pk", filter=Q(status=P.REQUESTED)),
            certified=Count("pk", filter=Q(status=P.CERTIFIED)),
            overdue=Count("pk", filter=Q(status=P.CERTIFIED, certified_at__lt=limit)),
        )
    )
    conventions = (
        Convention.objects.visible_to(user)
        .filter(status__in=[C.READY, C.SIGNED_ASSOCIATION])
        .aggregate(
            ready=Count("pk", filter=Q(status=C.READY)),
            signed=Count("pk", filter=Q(status=C.SIGNED_ASSOCIATION)),
        )
    )
    covered = Convention.grants.through.objects.filter(grant_id=OuterRef("pk"))
    lines = [
        (
            "Justificatifs déposés à examiner",
            Justificatif.objects.visible_to(user)
            .filter(is_current=True, status=Justificatif.Status.SUBMITTED)
            .count(),
            _link("justificatif_queue"),
        ),
        (
            "Demandes de versement : service fait à certifier",
            payments["requested"],
            _link("finance_queue", state=PaymentFilter.TO_CERTIFY),
        ),
        (
            "Versements à mandater",
            payments["certified"],
            _link("finance_queue", state=PaymentFilter.TO_ORDER),
        ),
        (
            "Versements en retard (service fait depuis plus de 30 jours)",
            payments["overdue"],
            _link("finance_queue", state=PaymentFilter.OVERDUE),
        ),
        (
            "Conventions prêtes à signer par l'association",
            conventions["ready"],
            _link("convention_list", status=C.READY),
        ),
        (
            "Conventions signées par l'association, à signer par la collectivité",
            conventions["signed"],
            _link("convention_list", status=C.SIGNED_ASSOCIATION),
        ),
        (
            f"Subventions de plus de {euros0(rules.CONVENTION_THRESHOLD)} sans convention",
            Grant.objects.visible_to(user)
            .filter(amount__gt=rules.CONVENTION_THRESHOLD)
            .filter(~Exists(covered))
            .count(),
            _link("grants_missing_convention"),
        ),
    ]
    return [(label, count, url) for label, count, url in lines if count]


@login_required
def home(request):
    """A home page per role, useful even when there is nothing yet."""
    user = request.user
    year = datetime.date.today().year
    if user.is_manager:
        return render(request, "grants/home_manager.html", manager_dashboard(user))

    associations = Association.objects.visible_to(user)
    grants = Grant.objects.visible_to(user)
    # order_by(): without it the model's ordering joins the associations into the GROUP BY.
    totals = grants.order_by().values("year").annotate(total=Sum("amount"), count=Count("id"))
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
