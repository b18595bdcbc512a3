import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render

from associations.models import Association
from grants.models import Grant


@login_required
def home(request):
    """A home page per role, useful even when there is nothing yet."""
    user = request.user
    year = datetime.date.today().year
    if user.is_manager:
        from conventions.manager_space import manager_dashboard

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
    }
    return render(request, "grants/home_staff.html", ctx)
