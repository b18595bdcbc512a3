"""The extract of the register of deliberations (« Extrait du registre des délibérations »).

Built from the data in three steps that tests can take separately: `extract_data` (plain data),
`extract_html` (the Django template, a few milliseconds) and `render_pdf` (WeasyPrint, about a
second). The PDF is stored with its SHA-256 and only rebuilt when the HTML it comes from changes.
"""

import hashlib

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from deliberations.markdown import render_markdown
from deliberations.models import Deliberation
from grants import pdf as safe_pdf
from grants.files import atomic_with_files


class ExtractUnavailable(Exception):
    """The register cannot print this deliberation yet (no session, attendance or vote)."""


def unavailable_reason(deliberation):
    session = deliberation.session
    if deliberation.is_light:
        return (
            "Saisie simplifiée : l'extrait du registre est celui de l'outil où l'assemblée a "
            "siégé ; complétez la délibération (séance et présences) pour l'imprimer ici."
        )
    if session is None:
        return "La délibération n'est inscrite à aucune séance."
    if not session.attendance.complete:
        return "Les présences de la séance ne sont pas toutes saisies."
    if not deliberation.vote_recorded:
        return "Le vote n'est pas encore saisi."
    if not deliberation.decisions.all():
        return "La décision ne compte aucun article."
    return None


def _unbreakable(member):
    """« M. Jean-Alain BARRIER » kept on one line in the justified lists of names."""
    return str(member).replace(" ", "\u00a0")


def extract_data(deliberation):
    """Everything the extract prints, as plain data."""
    reason = unavailable_reason(deliberation)
    if reason:
        raise ExtractUnavailable(reason)
    session = deliberation.session
    body = session.body
    authority = deliberation.authority
    summary = session.attendance
    prefecture = None
    if deliberation.prefecture_received_on or deliberation.actes_identifier:
        prefecture = {
            "received_on": deliberation.prefecture_received_on,
            "platform": deliberation.transmission_platform,
            "identifier": deliberation.actes_identifier,
            "published_on": deliberation.published_on,
        }
    return {
        "authority_name": authority.name,
        "logo_uri": safe_pdf.logo_uri(authority),
        "body_name": body.name,
        "session_date": session.date,
        "convocation_date": session.convocation_date,
        "second_convocation": session.second_convocation,
        "number": deliberation.number,
        "heading": deliberation.full_title,
        "in_office": summary.in_office_count,
        "present_count": summary.present_count,
        "proxies_count": summary.proxies_count,
        "votes": summary.votes_count,
        "presiding": str(session.presiding),
        "secretary": str(session.secretary),
        "present": [_unbreakable(m) for m in summary.present],
        "proxy_lines": summary.proxy_lines,
        "excused": [_unbreakable(m) for m in summary.excused],
        "absent": [_unbreakable(m) for m in summary.absent],
        "prefecture": prefecture,
        "statement_html": render_markdown(deliberation.statement),
        "deliberating_phrase": body.deliberating_phrase,
        "decisions": [d.text for d in deliberation.decisions.all()],
        "vote_sentence": deliberation.vote.result_sentence(),
        "secretary_title": session.secretary_signature_title,
        "secretary_name": session.secretary.full_name,
        "presiding_title": session.presiding_signature_title,
        "presiding_name": session.presiding.full_name,
    }


def extract_html(deliberation):
    with translation.override("fr"):
        return render_to_string("deliberations/pdf/extract.html", {"d": extract_data(deliberation)})


def render_pdf(html, *, authority=None):
    return safe_pdf.render_pdf(html, authority=authority)


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def _source_fingerprint(html):
    return sha256(html.encode("utf-8"))


def extract_is_current(deliberation, html=None):
    """Whether the stored PDF was built from the data as it is now."""
    if not deliberation.extract_pdf or not deliberation.extract_source_sha256:
        return False
    try:
        html = html or extract_html(deliberation)
    except ExtractUnavailable:
        return False
    return deliberation.extract_source_sha256 == _source_fingerprint(html)


def stored_file_intact(deliberation):
    try:
        with deliberation.extract_pdf.open("rb") as handle:
            return sha256(handle.read()) == deliberation.extract_sha256
    except (FileNotFoundError, ValueError, OSError):
        return False


def _file_name(deliberation):
    number = "".join(c if c.isalnum() or c in ".-" else "-" for c in deliberation.number)
    return f"{deliberation.authority.siren}/extrait-deliberation-{number}.pdf"


def ensure_extract(deliberation, *, force=False):
    """The stored extract, rebuilt first if the data changed, the file is damaged, or forced.

    Raises ExtractUnavailable when the deliberation cannot be printed yet.
    """
    html = extract_html(deliberation)
    fingerprint = _source_fingerprint(html)
    if (
        not force
        and deliberation.extract_source_sha256 == fingerprint
        and deliberation.extract_pdf
        and stored_file_intact(deliberation)
    ):
        return deliberation
    content = render_pdf(html, authority=deliberation.authority)
    with atomic_with_files() as files:
        locked = Deliberation.objects.select_for_update(of=("self",)).get(pk=deliberation.pk)
        files.save(locked.extract_pdf, _file_name(deliberation), ContentFile(content))
        locked.extract_sha256 = sha256(content)
        locked.extract_source_sha256 = fingerprint
        locked.extract_generated_at = timezone.now()
        Deliberation.objects.filter(pk=locked.pk).update(
            extract_pdf=locked.extract_pdf.name,
            extract_sha256=locked.extract_sha256,
            extract_source_sha256=fingerprint,
            extract_generated_at=locked.extract_generated_at,
        )
    for name in ("extract_pdf", "extract_sha256", "extract_source_sha256", "extract_generated_at"):
        setattr(deliberation, name, getattr(locked, name))
    return deliberation
