"""Celery tasks: thin wrappers that take ids and call the job runner.

`shared_task` binds them to the current Celery app, `config.celery_app`,
which `config/__init__.py` loads with the settings; jobs never imports
config (the layer above it).
"""

from __future__ import annotations

from celery import shared_task

from jobs.execution import run_job
from jobs.watchdog import fail_stale_jobs


@shared_task(name="jobs.run_phase")
def run_phase(phase: str, submission_id: int) -> None:
    run_job(phase, submission_id)


@shared_task(name="jobs.fail_stale", ignore_result=True)
def fail_stale() -> None:
    """Celery beat's watchdog round: in distributed mode a dead worker's job ends even with no server running."""
    fail_stale_jobs()
