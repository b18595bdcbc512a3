"""A large budget workbook is imported by a task worker, not in the request.

Up to BUDGET_IMPORT_INLINE_BYTES (setting, 256 Ko by default) the import runs in the request
and shows its problems on the form; above, the upload is stored (default storage), a job reads
it with the same checks (all or nothing), and its page shows the result or every problem with
its row number. The stored upload is removed once read.
"""

from django.conf import settings
from django.core.files.storage import default_storage

from associations.budgets.imports import budget_import
from associations.budgets.models import AssociationBudget
from grants.jobs import services as jobs
from grants.jobs.kinds import JobError


def inline_limit():
    return getattr(settings, "BUDGET_IMPORT_INLINE_BYTES", 256 * 1024)


def start_budget_import(*, budget, upload, user):
    name = default_storage.save(f"imports/budget-{budget.pk}.xlsx", upload)
    job, created = jobs.start_job(
        kind="budget_import",
        label=f"Import du classeur — {budget.get_kind_display()} {budget.year} — "
        f"{budget.association.name}",
        user=user,
        authority=budget.association.authority,
        key=jobs.dedup_key("budget_import", budget.pk),
        params={"budget": budget.pk, "upload": name},
        back_url=budget.get_absolute_url(),
        total=1,
    )
    if not created:  # an import of this budget is already under way: this upload waits nothing
        default_storage.delete(name)
    return job, created


def run_budget_import(job, progress):
    budget = AssociationBudget.objects.select_related("association").get(pk=job.params["budget"])
    name = job.params["upload"]
    try:
        with default_storage.open(name, "rb") as upload:
            result = budget_import(budget, upload, user=job.owner)
    except FileNotFoundError:
        raise JobError("Le classeur déposé n'est plus disponible : déposez-le à nouveau.") from None
    else:
        default_storage.delete(name)
    if not result.ok:
        problems = " ; ".join(
            f"ligne {row} : {message}" if row else message for row, message in result.errors
        )
        raise JobError(
            f"Le classeur n'a pas été importé : rien n'a été enregistré. {problems}. "
            "Corrigez le classeur et déposez-le à nouveau."
        )
    job.result_url = budget.get_absolute_url()
    job.message = f"Import réussi : {result.lines_written} lignes enregistrées."
    progress(1, 1)
