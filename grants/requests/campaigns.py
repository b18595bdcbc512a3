"""The authority's aid schemes and their yearly campaigns: the writes (staff pages, never the
Django admin) and the read of the public page."""

from django.db import transaction
from django.utils import timezone

from associations.documents.models import PieceKind
from grants.access import can_manage_campaigns, require
from grants.requests.models import Campaign

NOT_ALLOWED = "Seuls les agents instructeurs de la collectivité gèrent ses dispositifs d'aide."


def scheme_save(*, user, form, authority):
    """Create or change an aid scheme of `authority` from its validated form."""
    require(can_manage_campaigns(user, authority.pk), NOT_ALLOWED)
    with transaction.atomic():
        scheme = form.save(commit=False)
        scheme.authority = authority
        scheme.save()
        form.save_m2m()
    return scheme


def campaign_save(*, user, form, scheme):
    """Create or change a campaign of `scheme` from its validated form."""
    require(can_manage_campaigns(user, scheme.authority_id), NOT_ALLOWED)
    with transaction.atomic():
        campaign = form.save(commit=False)
        campaign.scheme = scheme
        campaign.save()
    return campaign


def piece_labels(codes):
    """The French names of the pieces a scheme requires."""
    return [PieceKind(code).label for code in codes if code in PieceKind.values]


def public_campaigns(authority, today=None):
    """The campaigns of the authority's active schemes, as the public page shows them: open
    ones, upcoming ones, and those closed this year or the last (2 queries)."""
    today = today or timezone.localdate()
    campaigns = (
        Campaign.objects.filter(authority=authority, scheme__is_active=True)
        .filter(closes_on__year__gte=today.year - 1)
        .select_related("scheme")
        .prefetch_related("scheme__eligible_structure_types")
        .order_by("closes_on", "scheme__name")
    )
    groups = {"open": [], "upcoming": [], "closed": []}
    for campaign in campaigns:
        campaign.piece_labels = piece_labels(campaign.scheme.required_pieces)
        if campaign.is_open(today):
            groups["open"].append(campaign)
        elif campaign.opens_on > today:
            groups["upcoming"].append(campaign)
        else:
            groups["closed"].append(campaign)
    groups["closed"].reverse()
    return groups


def authorities_taking_requests(today=None):
    """The authorities with a campaign open today, for the login page's « Vous êtes une
    association ? » links to their public pages (one query)."""
    from grants.models import Authority

    today = today or timezone.localdate()
    return list(
        Authority.objects.filter(campaigns__opens_on__lte=today, campaigns__closes_on__gte=today)
        .distinct()
        .order_by("name")
        .only("name", "short_name", "siren")
    )
