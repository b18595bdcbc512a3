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


@register.simple_tag
def campaign_deliberations(campaign):
    """The deliberations that decide some of the campaign's requests (one query)."""
    from deliberations.models import Deliberation

    return list(
        Deliberation.objects.filter(grants__request__campaign=campaign)
        .distinct()
        .order_by("-number")
        .only("pk", "number", "status")
    )


@register.simple_tag
def refusal_letter_job(subsidy_request):
    """The refusal letter's job still pending or running, if any (one query)."""
    from grants.requests.refusal import refusal_letter_job_of

    return refusal_letter_job_of(subsidy_request)
