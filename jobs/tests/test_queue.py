"""Queued is a state of its own: no heartbeat, a place in line, and the watchdog leaves it alone.

These run the queue's steps one by one in the test's thread; e2e/test_job_queue.py
runs more jobs than workers on the real thread pool and on a Celery worker.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from common.constants import ERROR, JOB_QUEUED, JOB_RUNNING, LOADED, PHASE_IMPORT, WAITING
from jobs.execution import run_job
from jobs.pipeline import JOBS
from jobs.services import start_phase
from jobs.tests.conftest import wait_until, with_data
from jobs.watchdog import fail_stale_jobs
from uid.models import Submission


@pytest.fixture
def queued(user, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """Three imports started while no worker is free: their jobs are handed over, not run."""
    handed: list[tuple[str, int]] = []
    monkeypatch.setattr("jobs.runner.dispatch", lambda phase, pk: handed.append((phase, pk)))
    submissions = []
    for n in range(3):
        submission = with_data(Submission.objects.create(title=f"herd {n}", owner=user), tmp_path, f"Q{n}-", 10)
        with django_capture_on_commit_callbacks(execute=True):
            start_phase(submission=submission, phase=PHASE_IMPORT, initial=True)
        submissions.append(submission)
    assert handed == [(PHASE_IMPORT, s.pk) for s in submissions]
    return submissions


def queued_frames(frames: list[dict], pk: int) -> list[int]:
    return [
        f["progress"]["ahead"]
        for f in frames
        if f["type"] == "progress" and f["submission"] == pk and f["progress"].get("queued")
    ]


def test_the_page_of_a_queued_job_says_how_many_are_ahead(frames, queued, client, user):
    client.force_login(user)

    pages = [client.get(s.get_absolute_url()).content.decode() for s in queued]

    assert [queued_frames(frames, s.pk) for s in queued] == [[0], [1], [2]]  # pages already open hear it too
    assert "Queued (next in line)" in pages[0]
    assert "Queued (1 ahead of you)" in pages[1]
    assert "Queued (2 ahead of you)" in pages[2]
    for submission in queued:
        submission.refresh_from_db()
        assert (submission.status, submission.job_state, submission.job_heartbeat) == (WAITING, JOB_QUEUED, None)


def test_the_watchdog_leaves_jobs_that_wait_longer_than_the_stale_limit(queued, settings):
    settings.JOB_STALE_SECONDS = 0.2
    started = timezone.now()
    wait_until(lambda: (timezone.now() - started).total_seconds() > 0.5)  # the wait is the point

    assert fail_stale_jobs() == 0
    assert not Submission.objects.filter(status=ERROR).exists()


def test_a_running_job_whose_heartbeat_stopped_is_still_failed(queued, settings):
    first = queued[0]
    Submission.objects.filter(pk=first.pk).update(job_state=JOB_RUNNING, job_heartbeat=timezone.now())
    settings.JOB_STALE_SECONDS = 0.2
    started = timezone.now()
    wait_until(lambda: (timezone.now() - started).total_seconds() > 0.5)

    assert fail_stale_jobs() == 1
    first.refresh_from_db()
    assert (first.status, first.message) == (ERROR, "The import stopped unexpectedly; please retry.")


def test_when_a_job_starts_the_ones_behind_move_up_live_and_it_shows_running_progress(frames, queued):
    first, second, third = queued

    run_job(PHASE_IMPORT, first.pk)

    assert queued_frames(frames, second.pk)[-1] == 0
    assert queued_frames(frames, third.pk)[-2:] == [2, 1]
    first_progress = [f["progress"] for f in frames if f["type"] == "progress" and f["submission"] == first.pk]
    assert first_progress[0]["queued"] is True
    assert first_progress[1] == {"phase": "import", "done": 0, "total": 0}  # running: no queued keys
    assert not any(p.get("queued") for p in first_progress[1:])
    assert first_progress[-1]["done"] == first_progress[-1]["total"] > 0
    assert Submission.objects.get(pk=first.pk).status == LOADED


def test_a_job_delivered_twice_runs_once(queued, monkeypatch):
    """Celery redelivers a task whose worker vanished; a running job is not started again."""
    first = queued[0]
    Submission.objects.filter(pk=first.pk).update(job_state=JOB_RUNNING, job_heartbeat=timezone.now())
    ran: list[int] = []
    monkeypatch.setitem(JOBS, PHASE_IMPORT, ran.append)

    run_job(PHASE_IMPORT, first.pk)

    assert ran == []


def test_a_restart_fails_the_queued_jobs_too_and_says_they_were_waiting(queued):
    """The embedded pool's queue dies with its process; nobody would ever start these."""
    from jobs.watchdog import fail_orphaned_jobs

    assert fail_orphaned_jobs() == 3

    queued[2].refresh_from_db()
    assert queued[2].status == ERROR
    assert queued[2].message == "The server restarted while the import was waiting to start; please retry."
