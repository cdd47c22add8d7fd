"""Celery tasks: thin wrappers that take ids and call the job runner."""

from __future__ import annotations

from celery import shared_task

from config.celery_app import app  # noqa: F401 - registers the app before the task
from jobs.execution import run_job
from jobs.watchdog import fail_stale_jobs


@shared_task(name="jobs.run_phase")
def run_phase(phase: str, submission_id: int) -> None:
    run_job(phase, submission_id)


@shared_task(name="jobs.fail_stale", ignore_result=True)
def fail_stale() -> None:
    """Celery beat's watchdog round: in distributed mode a dead worker's job ends even with no server running."""
    fail_stale_jobs()
