"""The refusal letter of a subsidy request (refused by staff or by the vote): a PDF from the
authority's template (LetterTemplate of kind « refus », else the default texts of
grants/smallgrants/template_texts.py), with the reason; rendered by the safe renderer
(grants/pdf.py) in a background job and stored with its SHA-256 on the request.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conventions.document import render_text
from grants.access import can_instruct_request, require
from grants.files import atomic_with_files
from grants.jobs import services as jobs
from grants.models import Job
from grants.pdf import logo_uri, render_pdf
from grants.queries import locked
from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from grants.smallgrants import template_texts
from grants.smallgrants.models import TemplateKind
from grants.smallgrants.pdf import authority_texts
from grants.templatetags.fr import euros

JOB_KIND = "refusal_letter"


def refusal_texts(subsidy_request):
    """The authority's refusal template, or the default texts."""
    return authority_texts(
        subsidy_request.authority_id, TemplateKind.REFUSAL, template_texts.REFUSAL
    )


def placeholder_values(subsidy_request, date):
    authority, association = subsidy_request.authority, subsidy_request.association
    campaign = subsidy_request.campaign
    submitted = subsidy_request.submitted_at
    return {
        "authority.name": authority.name,
        "authority.president_title": authority.president_title,
        "authority.president_name": authority.president_name,
        "association.name": association.name,
        "association.representative": association.representative,
        "request.reference": subsidy_request.reference or str(subsidy_request.pk),
        "request.title": subsidy_request.title or campaign.scheme.name,
        "request.submitted_on": f"{timezone.localtime(submitted):%d/%m/%Y}" if submitted else "",
        "scheme": campaign.scheme.name,
        "campaign": str(campaign),
        "year": str(campaign.year),
        "amount_requested": euros(subsidy_request.amount_requested),
        "reason": subsidy_request.decision_reason,
        "date": f"{date:%d/%m/%Y}",
    }


def refusal_letter_data(subsidy_request, date=None):
    """What the letter prints, as plain data (tests read it without rendering)."""
    date = date or timezone.localdate()
    texts = refusal_texts(subsidy_request)
    values = placeholder_values(subsidy_request, date)
    return {
        "subsidy_request": subsidy_request,
        "authority": subsidy_request.authority,
        "association": subsidy_request.association,
        "campaign": subsidy_request.campaign,
        "date": date,
        "reference": values["request.reference"],
        "title": texts["title"],
        "body_html": render_text(texts["body"], values),
        "conditions_html": render_text(texts["conditions"], values),
        "signatory_title": texts["signatory_title"],
        "amount_requested": values["amount_requested"],
        "reason": subsidy_request.decision_reason,
        "logo_uri": logo_uri(subsidy_request.authority),
    }


def render_refusal_letter_pdf(subsidy_request, date=None) -> bytes:
    html = render_to_string(
        "grants/requests/pdf/refusal_letter.html", refusal_letter_data(subsidy_request, date)
    )
    return render_pdf(html, authority=subsidy_request.authority)


def _require_refused(subsidy_request):
    if subsidy_request.status != Status.REFUSED:
        raise ValidationError(
            "Seule une demande refusée reçoit une lettre de refus (celle-ci est « "
            f"{subsidy_request.get_status_display().lower()} »)."
        )


def refusal_letter_generate(*, subsidy_request, user, date=None):
    """Render and store the refusal letter (replacing a previous one), with its SHA-256."""
    require(
        can_instruct_request(user, subsidy_request),
        "Seuls les agents instructeurs de la collectivité écrivent à l'association.",
    )
    with atomic_with_files() as files:
        subsidy_request = locked(subsidy_request, "authority", "association", "campaign__scheme")
        _require_refused(subsidy_request)
        content = render_refusal_letter_pdf(subsidy_request, date)
        name = f"refus-{subsidy_request.pk}-{timezone.now():%Y%m%d%H%M%S}.pdf"
        files.save(subsidy_request.refusal_letter, name, ContentFile(content))
        subsidy_request.refusal_letter_sha256 = hashlib.sha256(content).hexdigest()
        SubsidyRequest.objects.filter(pk=subsidy_request.pk).update(
            refusal_letter=subsidy_request.refusal_letter.name,
            refusal_letter_sha256=subsidy_request.refusal_letter_sha256,
            updated_at=timezone.now(),
        )
    return subsidy_request


def refusal_letter_key(subsidy_request):
    return jobs.dedup_key(JOB_KIND, subsidy_request.pk)


def refusal_letter_job_of(subsidy_request):
    return Job.objects.active().filter(dedup_key=refusal_letter_key(subsidy_request)).first()


def refusal_letter_start(*, subsidy_request, user):
    """Enqueue the letter's rendering once; returns (job, created)."""
    require(
        can_instruct_request(user, subsidy_request),
        "Seuls les agents instructeurs de la collectivité écrivent à l'association.",
    )
    _require_refused(subsidy_request)
    return jobs.start_job(
        kind=JOB_KIND,
        label=f"Lettre de refus — {subsidy_request.reference} — {subsidy_request.association}",
        user=user,
        authority=subsidy_request.authority,
        key=refusal_letter_key(subsidy_request),
        params={"request": subsidy_request.pk},
        back_url=subsidy_request.get_absolute_url(),
        total=1,
    )


def run_refusal_letter(job, progress):
    subsidy_request = SubsidyRequest.objects.get(pk=job.params["request"])
    refusal_letter_generate(subsidy_request=subsidy_request, user=job.owner)
    job.result_url = reverse("request_refusal_letter_download", args=[subsidy_request.pk])
    job.message = "La lettre de refus est prête."
    progress(1, 1)
