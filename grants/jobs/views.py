"""The page of a background job, its progress as JSON (polled by static/js/job-progress.js),
the download of its file and « Relancer ». Another authority's job answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grants.jobs import services
from grants.jobs.models import Job


def _visible_job(request, pk):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    return services.mark_stale(job)


def job_state(job):
    """What the page shows, as plain data (the JSON view and the template share it)."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "message": job.message,
        "result_url": job.result_link,
    }


@login_required
def job_detail(request, pk):
    job = _visible_job(request, pk)
    ctx = {"job": job, "state": job_state(job), "Status": Job.Status}
    return render(request, "grants/jobs/job_detail.html", ctx)


@login_required
def job_status(request, pk):
    job = _visible_job(request, pk)
    response = JsonResponse(job_state(job))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def job_download(request, pk):
    job = _visible_job(request, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404("Ce fichier n'est pas disponible.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    return FileResponse(handle, as_attachment=True, filename=job.filename or None)


@login_required
@require_POST
def job_retry(request, pk):
    job = _visible_job(request, pk)
    if job.status != Job.Status.FAILED:
        messages.info(request, "Cette tâche n'a pas échoué : rien à relancer.")
        return redirect(job)
    job = services.retry_job(job, request.user)
    messages.success(request, "La tâche est relancée.")
    return redirect(job)
