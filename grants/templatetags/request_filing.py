"""Template helpers of the association's filing: the data of the read-only summary and of the
managers' actions, so that any page (the request's detail included) can include them with only
`subsidy_request` in its context."""

from django import template

from grants.access import can_edit_request, can_file_request
from grants.requests import filing
from grants.requests.models import RequestEvent
from grants.requests.rules import Status

register = template.Library()

BADGES = {
    Status.DRAFT: "badge-muted",
    Status.SUBMITTED: "",
    Status.IN_REVIEW: "",
    Status.TO_COMPLETE: "badge-warn",
    Status.INSTRUCTED: "",
    Status.VOTED: "badge-ok",
    Status.REFUSED: "badge-err",
    Status.CLOSED: "badge-muted",
}


@register.filter
def request_badge(status):
    """The badge class of a request's status."""
    return BADGES.get(status, "")


@register.simple_tag
def request_summary_data(subsidy_request):
    """Budgets (with their totals) and pieces of the request, for the summary include."""
    return {
        "budgets": [
            {"label": label, "budget": budget}
            for _which, label, budget in filing.request_budgets(subsidy_request)
        ],
        "pieces": filing.request_pieces(subsidy_request),
    }


@register.simple_tag
def request_actions_data(subsidy_request, user):
    """What the association's manager may do now, and the staff's last request to complete."""
    to_complete = None
    if subsidy_request.status == Status.TO_COMPLETE:
        to_complete = (
            RequestEvent.objects.filter(
                request=subsidy_request,
                kind=RequestEvent.Kind.STATUS,
                to_status=Status.TO_COMPLETE,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
    return {
        "can_edit": can_edit_request(user, subsidy_request),
        "is_manager": can_file_request(user, subsidy_request.association),
        "to_complete": to_complete,
        "resume_step": filing.resume_step(subsidy_request),
    }
