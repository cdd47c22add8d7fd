"""The site's metrics move where the real-time path does its work."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from prometheus_client import REGISTRY

from common.constants import LOADED
from submissions.actions import change_status
from submissions_ws.consumers import MAX_QUEUED, Outbox
from submissions_ws.hub import stop_hub
from submissions_ws.tests.sockets import session_cookie, socket

pytestmark = pytest.mark.django_db(transaction=True)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
async def fresh_hub():
    yield
    await stop_hub()


async def test_a_socket_counts_open_frames_events_and_latency(user, submission):
    before = {
        "open": value("submission_live_sockets_open", endpoint="submission"),
        "snapshot": value("submission_live_frames_sent_total", kind="snapshot"),
        "status": value("submission_live_frames_sent_total", kind="status"),
        "events": value("submission_live_events_recorded_total"),
        "latency": value("submission_live_delivery_seconds_count"),
    }
    communicator = socket(submission.pk, await session_cookie(user))
    await communicator.connect()
    await communicator.receive_json_from(timeout=3)

    assert value("submission_live_sockets_open", endpoint="submission") == before["open"] + 1
    await database_sync_to_async(change_status)(submission=submission, status=LOADED, message="Loaded.")
    assert (await communicator.receive_json_from(timeout=3))["type"] == "status"
    await communicator.disconnect()

    assert value("submission_live_sockets_open", endpoint="submission") == before["open"]
    assert value("submission_live_frames_sent_total", kind="snapshot") == before["snapshot"] + 1
    assert value("submission_live_frames_sent_total", kind="status") == before["status"] + 1
    assert value("submission_live_events_recorded_total") == before["events"] + 1
    assert value("submission_live_delivery_seconds_count") == before["latency"] + 1


async def test_a_refused_connect_is_counted_by_close_code(submission):
    # Collecting runs every collector, the queued-jobs one reads the database: not from the event loop.
    read = sync_to_async(value)
    before = await read("submission_live_connects_refused_total", code="4403")
    communicator = socket(submission.pk, cookie=None)
    await communicator.connect()
    await communicator.receive_output(timeout=3)

    assert await read("submission_live_connects_refused_total", code="4403") == before + 1


def test_an_outbox_overflow_is_counted_once():
    before = value("submission_live_outbox_overflows_total")
    outbox = Outbox()
    for seq in range(MAX_QUEUED + 10):
        outbox.put_status(seq, "{}")

    assert value("submission_live_outbox_overflows_total") == before + 1


def test_a_job_is_timed_by_phase_and_outcome_and_the_watchdog_counted(submission, monkeypatch, settings):
    from datetime import timedelta

    from django.utils import timezone

    from common.constants import WAITING
    from jobs import pipeline, runner
    from jobs.watchdog import fail_stale_jobs
    from uid.models import Submission

    def finishes_loaded(submission_id: int) -> None:
        assert value("submission_live_jobs_running", phase="import") == running_before + 1
        Submission.objects.filter(pk=submission_id).update(status=LOADED, job_phase="")

    running_before = value("submission_live_jobs_running", phase="import")
    timed_before = value("submission_live_job_duration_seconds_count", phase="import", outcome="loaded")
    Submission.objects.filter(pk=submission.pk).update(status=WAITING, job_phase="import")
    monkeypatch.setitem(pipeline.JOBS, "import", finishes_loaded)

    runner.run_job("import", submission.pk)

    assert value("submission_live_job_duration_seconds_count", phase="import", outcome="loaded") == timed_before + 1
    assert value("submission_live_jobs_running", phase="import") == running_before

    stale_before = value("submission_live_watchdog_failures_total", reason="stale")
    Submission.objects.filter(pk=submission.pk).update(
        status=WAITING, job_phase="validation", job_heartbeat=timezone.now() - timedelta(hours=1)
    )
    assert fail_stale_jobs() == 1
    assert value("submission_live_watchdog_failures_total", reason="stale") == stale_before + 1
