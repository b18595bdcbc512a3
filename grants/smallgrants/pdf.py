"""The notification letter (or arrêté attributif) of a grant of 23 000 € or less, as a PDF.

`letter_data` gathers what the letter prints (pure data, tests call it); `render_letter_pdf`
renders it with WeasyPrint. The stylesheet is fixed in the template: no user text reaches the
<style>, and the renderer fetches no URL at all (the url_fetcher refuses every one).
"""

from functools import cache

from django.template.loader import render_to_string
from django.utils import timezone

from conventions.document import amount_in_words, render_text
from grants.smallgrants import template_texts
from grants.smallgrants.models import LetterKind, LetterTemplate
from grants.templatetags.fr import euros


@cache
def _weasyprint():
    import weasyprint

    return weasyprint


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"The letter PDF fetches no resource ({url}).")


def authority_texts(authority_id, kind, defaults):
    """The texts of the authority's template of this kind (notification letter, arrêté,
    refusal letter), or `defaults`."""
    template = LetterTemplate.objects.filter(authority_id=authority_id, kind=kind).first()
    if template is None:
        return dict(defaults)
    return {
        "title": template.title,
        "body": template.body,
        "conditions": template.conditions,
        "signatory_title": template.signatory_title,
    }


def letter_texts(grant, kind):
    """The authority's template of this kind, or the default texts."""
    return authority_texts(grant.authority_id, kind, template_texts.DEFAULTS[kind])


def placeholder_values(grant, reference=""):
    authority, association = grant.authority, grant.association
    deliberation = grant.deliberation
    date = deliberation.decision_date if deliberation else None
    due = grant.financial_report_due_date
    clause = (
        template_texts.FINANCIAL_REPORT_CLAUSE.format(due_date=f"{due:%d/%m/%Y}")
        if due
        else template_texts.NO_FINANCIAL_REPORT_CLAUSE
    )
    return {
        "authority.name": authority.name,
        "authority.president_title": authority.president_title,
        "authority.president_name": authority.president_name,
        "association.name": association.name,
        "association.representative": association.representative,
        "amount": euros(grant.amount),
        "amount_in_words": amount_in_words(grant.amount),
        "object": grant.object,
        "year": str(grant.year),
        "deliberation_number": deliberation.number if deliberation else "",
        "deliberation_date": f"{date:%d/%m/%Y}" if date else "",
        "body_name": deliberation.body_label if deliberation else "",
        "financial_report_clause": clause,
        "reference": reference,
    }


def letter_data(grant, *, kind=LetterKind.NOTIFICATION, reference="", date=None):
    texts = letter_texts(grant, kind)
    values = placeholder_values(grant, reference)
    deliberation = grant.deliberation
    return {
        "grant": grant,
        "authority": grant.authority,
        "association": grant.association,
        "deliberation": deliberation,
        "kind_label": LetterKind(kind).label,
        "is_arrete": kind == LetterKind.ARRETE,
        "reference": reference,
        "date": date or timezone.localdate(),
        "title": texts["title"],
        "body_html": render_text(texts["body"], values),
        "conditions_html": render_text(texts["conditions"], values),
        "signatory_title": texts["signatory_title"],
        "amount": values["amount"],
        "amount_words": values["amount_in_words"],
        "financial_report_due_date": grant.financial_report_due_date,
    }


def render_letter_html(grant, **kwargs):
    return render_to_string("grants/smallgrants/pdf/letter.html", letter_data(grant, **kwargs))


def render_letter_pdf(grant, **kwargs) -> bytes:
    """The letter as PDF bytes (about a second): only on an explicit request, then stored."""
    html = render_letter_html(grant, **kwargs)
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
