"""The heartbeat is visible while the job's own transaction is still open."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from common.constants import ERROR, PHASE_IMPORT, WAITING
from jobs.execution import run_job
from jobs.heartbeat import beating
from jobs.pipeline import JOBS
from uid.models import Submission


@pytest.mark.django_db(transaction=True)
def test_beats_reach_the_database_during_a_long_transaction(submission, settings):
    settings.JOB_STALE_SECONDS = 0.8  # beat every 0.2 s
    Submission.objects.filter(pk=submission.pk).update(job_phase=PHASE_IMPORT, job_heartbeat=None)
    seen = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not seen.is_set():
            if Submission.objects.filter(pk=submission.pk, job_heartbeat__isnull=False).exists():
                seen.set()
            time.sleep(0.05)

    with beating(submission.pk):
        watcher = threading.Thread(target=watch)
        watcher.start()
        watcher.join()

    assert seen.is_set()


def test_a_redelivered_job_for_a_phase_that_already_ended_does_nothing(submission, monkeypatch):
    """The watchdog ended the phase; the late task must not overwrite that outcome."""
    Submission.objects.filter(pk=submission.pk).update(status=ERROR, job_phase="", message="stopped")
    ran = []
    monkeypatch.setitem(JOBS, PHASE_IMPORT, ran.append)

    run_job(PHASE_IMPORT, submission.pk)

    submission.refresh_from_db()
    assert ran == []
    assert submission.status == ERROR
    assert submission.message == "stopped"


def test_a_due_job_runs(submission, monkeypatch):
    Submission.objects.filter(pk=submission.pk).update(status=WAITING, job_phase=PHASE_IMPORT)
    ran = []
    monkeypatch.setitem(JOBS, PHASE_IMPORT, ran.append)

    with transaction.atomic():
        run_job(PHASE_IMPORT, submission.pk)

    assert ran == [submission.pk]
