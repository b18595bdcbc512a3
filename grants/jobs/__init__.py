"""Background jobs: the user-facing record (progress, result, French error) of a django.tasks task.

One model for every kind (PDFs, large exports, bulk generation): `services.start_job` records
the request and enqueues `tasks.run_job` once the row is committed; a double click finds the
pending job instead of starting another; the job page polls `job_status` (JSON) and shows the
result, or the error with a « Relancer » button.
"""
