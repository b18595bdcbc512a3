"""A real `manage.py db_worker` process takes a job from the database queue and finishes it.

On SQLite the test database lives in memory, invisible to another process: it is copied to a
file (sqlite3's backup API) after the task is enqueued, the worker runs on that file, and the
outcome is read back from it. On PostgreSQL the worker uses the test database itself.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.http import QueryDict
from django_tasks_db.models import DBTaskResult

from grants.finance import export_jobs, exports
from grants.models import Job
from tests.factories import AuthorityFactory
from tests.grants.finance.factories import BudgetLineFactory, finance_of

ROOT = Path(__file__).resolve().parents[3]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worker_env(database_url, media_root):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "grants.settings_test"}
    env.update(TEST_TASKS_BACKEND="database", DATABASE_URL=database_url, MEDIA_ROOT=str(media_root))
    return env


def _run_worker(env):
    """`db_worker --batch`: runs what is queued, then exits (bounded by a 60 s timeout)."""
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_process_runs_an_export_job(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    authority = AuthorityFactory()
    for _ in range(3):
        BudgetLineFactory(authority=authority, year=2024)
    user = finance_of(authority)
    spec = exports.spec_for("lignes")
    job = export_jobs.start_export(spec, spec.filterset(user, QueryDict("")), user, "", 3)
    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert job.task_result_id == str(task.id) and task.status == "READY"

    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        completed = _run_worker(_worker_env(f"sqlite:///{path}", settings.MEDIA_ROOT))
        with sqlite3.connect(path) as db:
            status, file_name, done = db.execute(
                "SELECT status, file, done FROM grants_job WHERE id = ?", [job.pk.hex]
            ).fetchone()
            (task_status,) = db.execute(
                f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = ?",
                [str(task.id).replace("-", "")],
            ).fetchone()
    else:
        database = django_settings.DATABASES["default"]
        url = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )
        completed = _run_worker(_worker_env(url, settings.MEDIA_ROOT))
        job.refresh_from_db()
        task.refresh_from_db()
        status, file_name, done, task_status = job.status, job.file.name, job.done, task.status

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (status, done, task_status) == (Job.Status.DONE, 3, "SUCCESSFUL")
    from openpyxl import load_workbook

    with open(Path(settings.MEDIA_ROOT) / file_name, "rb") as handle:
        assert load_workbook(handle)["Lignes budgétaires"].max_row == 5  # header, 3 lines, totals
