import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, BankDetails
from conventions.manager_space import manager_dashboard
from conventions.models import Convention, Justificatif
from deliberations.models import Deliberation
from grants import rules
from grants.finance.filters import PaymentFilter
from grants.models import AccountSignup, AssociationAccessRequest, Commitment, Grant, Payment
from grants.queries import counts
from grants.templatetags.fr import euros0

ZERO = Decimal("0.00")


def _link(name, **params):
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def staff_todo(user):
    """What waits for the authority's staff, one count query per line, each with its list."""
    payments = Payment.objects.visible_to(user)
    conventions = Convention.objects.visible_to(user)
    status = Convention.Status
    instructs, finance = user.can_instruct or user.is_platform_admin, user.is_finance
    not_committed = ~Exists(Commitment.objects.filter(grant_id=OuterRef("pk")))
    lines = [
        (
            (
                "Demande de versement certifiée, à mandater",
                "Demandes de versement certifiées, à mandater",
            ),
            payments.filter(status=Payment.Status.CERTIFIED),
            _link("finance_queue", state=PaymentFilter.TO_ORDER),
            finance,
        ),
        (
            (
                "Versement en retard (service fait depuis plus de 30 jours)",
                "Versements en retard (service fait depuis plus de 30 jours)",
            ),
            payments.overdue(timezone.now()),
            _link("finance_queue", state=PaymentFilter.OVERDUE),
            finance,
        ),
        (
            ("Subvention exécutoire à engager", "Subventions exécutoires à engager"),
            Grant.objects.visible_to(user)
            .filter(deliberation__status=Deliberation.Status.EXECUTORY)
            .filter(not_committed),
            _link("finance_grant_list"),
            finance,
        ),
        (
            ("Justificatif déposé à examiner", "Justificatifs déposés à examiner"),
            Justificatif.objects.visible_to(user).filter(
                is_current=True, status=Justificatif.Status.SUBMITTED
            ),
            _link("justificatif_queue"),
            instructs,
        ),
        (
            (
                "Changement de coordonnées bancaires à vérifier sur le RIB",
                "Changements de coordonnées bancaires à vérifier sur le RIB",
            ),
            BankDetails.objects.visible_to(user).pending(),
            _link("bank_details_pending"),
            instructs,
        ),
        (
            (
                "Demande de versement : service fait à certifier",
                "Demandes de versement : service fait à certifier",
            ),
            payments.filter(status=Payment.Status.REQUESTED),
            _link("finance_queue", state=PaymentFilter.TO_CERTIFY),
            instructs,
        ),
        (
            (
                "Convention prête à signer par l'association",
                "Conventions prêtes à signer par l'association",
            ),
            conventions.filter(status=status.READY),
            _link("convention_list", status=status.READY),
            instructs,
        ),
        (
            (
                "Convention signée par l'association, à signer par la collectivité",
                "Conventions signées par l'association, à signer par la collectivité",
            ),
            conventions.filter(status=status.SIGNED_ASSOCIATION),
            _link("convention_list", status=status.SIGNED_ASSOCIATION),
            instructs,
        ),
        (
            (
                f"Subvention de plus de {euros0(rules.CONVENTION_THRESHOLD)} sans convention",
                f"Subventions de plus de {euros0(rules.CONVENTION_THRESHOLD)} sans convention",
            ),
            Grant.objects.visible_to(user).filter(
                amount__gt=rules.CONVENTION_THRESHOLD, has_convention=False
            ),
            _link("grants_missing_convention"),
            instructs,
        ),
    ]
    # Each role sees its own work only (a platform admin sees the instructors' and finance's).
    if user.is_platform_admin:
        lines = [(label, qs, url, True) for label, qs, url, _ in lines]
    mine = [(forms, qs, url) for forms, qs, url, shown in lines if shown]
    numbers = counts([qs for _, qs, _ in mine])
    counted = [(forms, n, url) for (forms, _, url), n in zip(mine, numbers, strict=True)]
    return [(forms[count > 1], count, url) for forms, count, url in counted if count]


ADOPTED = [
    Deliberation.Status.ADOPTED,
    Deliberation.Status.TRANSMITTED,
    Deliberation.Status.PUBLISHED,
    Deliberation.Status.EXECUTORY,
]


def grant_totals(user, years=5):
    """Per year (the latest five with grants): proposed (deliberation not adopted yet, or
    none), voted (adopted), committed and paid (by the grant's year, as on the dashboards).
    One query over the grants alone, whatever the number of commitments and payments: the
    committed and paid amounts are stored on each grant (grants.finance.sums)."""
    grants = Grant.objects.visible_to(user)
    # The latest years as a subquery, not a list of values: PostgreSQL then reads the years'
    # grants through the (authority, year) covering index, alone, instead of a parallel scan of
    # the table that costs three times the CPU under load.
    latest = grants.order_by("-year").values("year").distinct()[:years]
    voted = Q(deliberation__status__in=ADOPTED)
    return list(
        grants.filter(year__in=latest)
        .values("year")
        .annotate(
            count=Count("*"),  # not the id: the covering index does not hold it
            proposed=Coalesce(Sum("amount", filter=~voted), ZERO),
            voted=Coalesce(Sum("amount", filter=voted), ZERO),
            committed=Coalesce(Sum("committed_amount"), ZERO),
            paid=Coalesce(Sum("paid_amount"), ZERO),
        )
        .order_by("-year")
    )


def manager_access_context(user, associations):
    """The manager's own access requests still waiting or refused lately, and where to attach
        another association (the authority of their associations, else of their sign-up). One query
    (two for an account with neither association nor request)."""
    requests = list(
        AssociationAccessRequest.objects.visible_to(user)
        .exclude(status=AssociationAccessRequest.Status.ACCEPTED)
        .select_related("association", "authority")
        .order_by("-created_at")[:10]
    )
    authorities = {a.authority for a in associations} | {r.authority for r in requests}
    if not authorities:  # a new account: the authority it signed up with
        signup = AccountSignup.objects.filter(user=user).select_related("authority").first()
        if signup is not None:
            authorities.add(signup.authority)
    if len(authorities) == 1:
        attach_url = reverse("association_attach", args=[authorities.pop().siren])
    else:
        attach_url = reverse("association_attach_start")
    return {
        "pending_requests": [r for r in requests if r.status == r.Status.PENDING],
        "refused_requests": [r for r in requests if r.status == r.Status.REFUSED],
        "attach_url": attach_url,
    }


@login_required
def home(request):
    """A home page per role, useful even when there is nothing yet."""
    user = request.user
    year = datetime.date.today().year
    if user.is_manager:
        ctx = manager_dashboard(user)
        ctx.update(manager_access_context(user, ctx.get("associations") or []))
        return render(request, "grants/home_manager.html", ctx)

    associations = Association.objects.visible_to(user)
    totals = grant_totals(user)
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
