"""The django.tasks task behind every background job, and the periodic clean-up."""

from django.tasks import task

from grants.jobs import services


@task
def run_job(job_id):
    """Do one recorded job (see grants.jobs.kinds); returns its final status."""
    return services.run(job_id)
