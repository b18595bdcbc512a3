"""The kinds of background job and the function that does each (imported when a job runs)."""

KINDS = {
    "export": "grants.finance.export_jobs.run_export",
    "convention_pdf": "conventions.jobs.run_convention_pdf",
    "convention_pdfs": "conventions.jobs.run_deliberation_convention_pdfs",
    "deliberation_extract": "deliberations.jobs.run_extract",
    "budget_import": "associations.budgets.import_jobs.run_budget_import",
    "request_documents": "grants.requests.jobs.run_request_documents",
    "refusal_letter": "grants.requests.jobs.run_refusal_letter",
    "notification_letter": "grants.smallgrants.jobs.run_letter",
}


class JobError(Exception):
    """An expected failure: its French message is what the user reads on the job page."""


# The words of the result link on the job page.
RESULT_LABELS = {
    "export": "Télécharger le fichier",
    "convention_pdf": "Ouvrir le PDF",
    "convention_pdfs": "Retour à la délibération",
    "deliberation_extract": "Ouvrir l'extrait (PDF)",
    "budget_import": "Voir le budget",
    "request_documents": "Voir les conventions et lettres",
    "refusal_letter": "Ouvrir la lettre de refus (PDF)",
    "notification_letter": "Ouvrir la lettre (PDF)",
}
