"""What the pages of other parts show of the decisions: the proposals of a campaign (its page
includes grants/requests/includes/campaign_decisions.html) and the voted requests of a
deliberation (its page includes grants/requests/includes/deliberation_documents.html)."""

from django import template
from django.db.models import Count, Q

from grants.requests.decisions import proposals_summary
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status

register = template.Library()


@register.simple_tag
def campaign_proposals(campaign):
    """Counts and amounts of the campaign's proposals (one query)."""
    return proposals_summary(campaign)


@register.simple_tag
def deliberation_requests(deliberation):
    """How many requests the deliberation decides, and how many it voted (one query)."""
    return SubsidyRequest.objects.filter(grant__deliberation=deliberation).aggregate(
        total=Count("pk"), voted=Count("pk", filter=Q(status=Status.VOTED))
    )
