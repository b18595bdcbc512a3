"""The background jobs of the decisions (grants/jobs/kinds.py names them): the conventions and
notification letters of a deliberation's voted requests, and a refusal letter."""

from grants.requests.documents import run_documents
from grants.requests.refusal import run_refusal_letter


def run_request_documents(job, progress):
    """« Générer les conventions et lettres »: progress done/total, one failure per association
    in the job's message."""
    run_documents(job, progress)


__all__ = ["run_request_documents", "run_refusal_letter"]
