"""The embedded server's poller loop (distributed mode's beat task: jobs/tests/test_tasks.py)."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest
from asgiref.sync import sync_to_async

from archive.poller import poll_forever
from common.constants import COMPLETED, PHASE_SUBMISSION, READY, SUBMITTED, WAITING
from jobs.services import start_phase
from uid.models import Submission

from .conftest import add_records


def submit_for_real(submission_id: int) -> int:
    """Submit with real commits: the poller reads from other threads."""
    submission = Submission.objects.get(pk=submission_id)
    add_records(submission)
    Submission.objects.filter(pk=submission_id).update(status=READY)
    start_phase(submission=submission, phase=PHASE_SUBMISSION)
    return Submission.objects.get(pk=submission_id).status


async def status_of(submission_id: int) -> int:
    return await sync_to_async(lambda: Submission.objects.get(pk=submission_id).status)()


def published_statuses(published: list[dict]) -> list[int]:
    return [frame["status"] for frame in published if frame["type"] == "status"]


@pytest.mark.django_db(transaction=True)
async def test_the_server_process_polls_until_the_archive_has_answered(archive_server, submission, settings, published):
    """Watched through the frames pages get, not the database: the test's in-memory SQLite locks whole tables
    (shared cache, no busy timeout), so reading it while the poller's thread writes fails at random."""
    settings.ARCHIVE_POLL_SECONDS = 0.05
    settings.JOBS_BACKEND = "inline"
    archive_server.hold()
    assert await sync_to_async(submit_for_real)(submission.pk) == SUBMITTED

    poller = asyncio.create_task(poll_forever())
    try:
        # Rounds run while the archive still validates; nothing changes.
        async with asyncio.timeout(10):
            while sum(method == "GET" for method, _ in archive_server.requests) < 2:
                await asyncio.sleep(0.02)
        assert published_statuses(published) == [WAITING, SUBMITTED]

        archive_server.release()
        async with asyncio.timeout(10):
            while COMPLETED not in published_statuses(published):
                await asyncio.sleep(0.05)
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
    assert published_statuses(published) == [WAITING, SUBMITTED, COMPLETED]
    assert await status_of(submission.pk) == COMPLETED


async def test_in_distributed_mode_the_server_leaves_polling_to_celery_beat(settings):
    settings.JOBS_BACKEND = "celery"

    async with asyncio.timeout(1):
        await poll_forever()  # returns at once instead of looping


async def test_stopping_the_server_tells_a_running_round_to_stop(settings, monkeypatch):
    """Cancelling the loop does not stop its thread; the flag does, so shutdown never waits for a whole round."""
    settings.JOBS_BACKEND = "thread"
    settings.ARCHIVE_URL = "http://127.0.0.1:9"
    settings.ARCHIVE_POLL_SECONDS = 0
    started, told = threading.Event(), threading.Event()

    def round_that_waits(stopping: threading.Event) -> int:
        started.set()
        if stopping.wait(5):
            told.set()
        return 0

    monkeypatch.setattr("archive.poller.poll_round", round_that_waits)
    poller = asyncio.create_task(poll_forever())
    assert await asyncio.to_thread(started.wait, 5)

    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller

    assert await asyncio.to_thread(told.wait, 5)
