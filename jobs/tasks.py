"""Celery tasks: thin wrappers that take ids and call the job runner."""

from __future__ import annotations

from celery import shared_task

from config.celery_app import app  # noqa: F401 - registers the app before the task
from jobs.runner import run_job


@shared_task(name="jobs.run_phase")
def run_phase(phase: str, submission_id: int) -> None:
    run_job(phase, submission_id)
