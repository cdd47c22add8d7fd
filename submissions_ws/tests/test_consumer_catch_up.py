"""A socket far behind: outbox overflow refilled from the log in pages, and the snapshot past 1,000 events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from common.constants import LOADED, WAITING
from submissions.events import STATUS, build_frame, encode
from submissions.models import SubmissionEvent
from submissions.publishing import EVENT_TYPE
from submissions_ws import selectors
from submissions_ws.consumers import MAX_QUEUED
from submissions_ws.hub import get_hub
from submissions_ws.tests.test_consumers import connect, receive
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def logged_without_doorbells(submission: Submission, count: int) -> list[dict[str, Any]]:
    """`count` status events in the log (as a fast job in another process writes them); their layer messages."""
    now = timezone.now()
    events = []
    for seq in range(1, count + 1):
        status = WAITING if seq % 2 else LOADED
        frame = encode(
            build_frame(
                kind=STATUS,
                submission_id=submission.pk,
                seq=seq,
                status=status,
                notification=f"event {seq}",
                validation_message=None,
                timestamp=now,
            )
        )
        events.append(
            SubmissionEvent(
                submission=submission, seq=seq, status=status, message=f"event {seq}", frame=frame, created=now
            )
        )
    SubmissionEvent.objects.bulk_create(events)
    Submission.objects.filter(pk=submission.pk).update(last_seq=count, status=events[-1].status)
    return [
        {"type": EVENT_TYPE, "submission": submission.pk, "kind": STATUS, "seq": e.seq, "frame": e.frame}
        for e in events
    ]


async def test_an_overflowing_outbox_is_refilled_from_the_log_in_pages(user, submission, settings):
    """2,500 doorbells at once: the outbox keeps 1,000, drops them, and the socket reads all 2,500 back in order."""
    settings.REALTIME_SWEEP_SECONDS = 1000  # no sweep: only the socket's own refill may repair the loss
    communicator = await connect(user, submission.pk)
    assert (await receive(communicator))["seq"] == 0
    messages = await logged_without_doorbells(submission, 2500)
    (socket,) = (await get_hub()).submissions.subscribers_of(submission.pk)

    for message in messages:  # all at once, before the socket's writer gets to run
        socket.deliver(message)
    assert socket.outbox.overflowed
    assert len(socket.outbox.items) == MAX_QUEUED

    frames = [await receive(communicator) for _ in range(2500)]
    assert [f["seq"] for f in frames] == list(range(1, 2501))
    assert frames[-1]["notification_message"] == "event 2500"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_page_up_to_1000_events_behind_gets_them_replayed(user, submission):
    await logged_without_doorbells(submission, 1001)
    communicator = await connect(user, submission.pk, "?since=1")

    frames = [await receive(communicator) for _ in range(1000)]

    assert [(f["type"], f["seq"]) for f in frames] == [("status", seq) for seq in range(2, 1002)]
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_page_more_than_1000_events_behind_gets_a_snapshot_instead(user, submission):
    assert selectors.MAX_REPLAY == 1000  # the README's contract
    await logged_without_doorbells(submission, 1001)
    communicator = await connect(user, submission.pk, "?since=0")

    frame = json.loads(await communicator.receive_from(timeout=3))

    assert frame["type"] == "snapshot"
    assert frame["seq"] == 1001
    assert frame["status"] == WAITING
    assert frame["notification_message"] == ""  # the submission's own message, not an event's
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
