"""The socket contract: join, replay or snapshot, go live, refuse, reject."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from common.constants import LOADED, READY, WAITING
from submissions.events import STATUS, build_frame, encode
from submissions.helpers import Progress, send_message
from submissions.models import SubmissionEvent
from submissions_ws import close_codes
from submissions_ws.consumers import MAX_QUEUED, Outbox
from submissions_ws.routing import websocket_urlpatterns
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_KEYS = {
    "type",
    "seq",
    "status",
    "message",
    "notification_message",
    "validation_message",
    "submission",
    "timestamp",
}


def application():
    from channels.routing import URLRouter

    return URLRouter(websocket_urlpatterns)


async def connect(user, pk, query: str = "") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application(), f"/ws/submissions/{pk}/{query}")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@database_sync_to_async
def publish_status(submission: Submission, status: int, message: str) -> None:
    submission.status = status
    submission.message = message
    submission.save()
    send_message(
        submission,
        {"animals": 3, "samples": 2, "animal_unkn": 0, "sample_unkn": 0, "animal_issues": 1, "sample_issues": 0},
    )


async def receive(communicator: WebsocketCommunicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=3))


async def test_connect_without_since_sends_a_snapshot_with_every_contract_key(user, submission):
    """A fresh page gets one snapshot carrying the current state and the last seq."""
    await publish_status(submission, LOADED, "Loaded 3 animals")
    communicator = await connect(user, submission.pk)

    frame = await receive(communicator)

    assert frame.keys() >= FRAME_KEYS
    assert frame["type"] == "snapshot"
    assert frame["seq"] == 1
    assert frame["status"] == LOADED
    assert frame["message"] == "Loaded"
    assert frame["notification_message"] == "Loaded 3 animals"
    assert frame["submission"] == submission.pk
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_live_status_event_reaches_an_open_page_with_the_next_seq(user, submission):
    """send_message after connect arrives as a status frame numbered after the snapshot."""
    communicator = await connect(user, submission.pk)
    snapshot = await receive(communicator)

    await publish_status(submission, WAITING, "Validating your records…")
    frame = await receive(communicator)

    assert frame["type"] == STATUS
    assert frame["seq"] == snapshot["seq"] + 1
    assert frame["status"] == WAITING
    assert frame["message"] == "Waiting"
    assert frame["notification_message"] == "Validating your records…"
    assert frame["validation_message"]["animal_issues"] == 1
    await communicator.disconnect()


async def test_since_replays_missed_events_in_order_then_goes_live(user, submission):
    """A page that held seq 1 gets 2 and 3 from the log, then live 4, with no duplicate."""
    for index in range(3):
        await publish_status(submission, WAITING, f"step {index + 1}")
    communicator = await connect(user, submission.pk, "?since=1")

    replayed = [await receive(communicator) for _ in range(2)]
    await publish_status(submission, READY, "step 4")
    live = await receive(communicator)

    assert [f["seq"] for f in replayed] == [2, 3]
    assert [f["notification_message"] for f in replayed] == ["step 2", "step 3"]
    assert live["seq"] == 4
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_since_equal_to_last_seq_sends_nothing_until_the_next_event(user, submission):
    """A page that is already up to date receives only new events."""
    await publish_status(submission, LOADED, "one")
    communicator = await connect(user, submission.pk, "?since=1")

    assert await communicator.receive_nothing(timeout=0.3)
    await publish_status(submission, READY, "two")
    assert (await receive(communicator))["seq"] == 2
    await communicator.disconnect()


@pytest.mark.parametrize("since", ["-1", "abc", "99", "1e3", "", "١"])
async def test_unusable_since_falls_back_to_a_snapshot(user, submission, since):
    """Negative, non-numeric or future `since` values get a snapshot, never an error."""
    await publish_status(submission, LOADED, "one")
    communicator = await connect(user, submission.pk, f"?since={since}")

    frame = await receive(communicator)

    assert frame["type"] == "snapshot"
    assert frame["seq"] == 1
    await communicator.disconnect()


async def test_resume_frame_replays_after_the_given_seq(user, submission):
    """{"type": "resume", "since": n} re-sends every status event after n."""
    for index in range(3):
        await publish_status(submission, WAITING, f"step {index + 1}")
    communicator = await connect(user, submission.pk, "?since=3")

    await communicator.send_to(text_data=json.dumps({"type": "resume", "since": 1}))
    frames = [await receive(communicator) for _ in range(2)]

    assert [f["seq"] for f in frames] == [2, 3]
    await communicator.disconnect()


async def test_ping_gets_a_pong_with_the_last_seq(user, submission):
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    await communicator.send_to(text_data='{"type": "ping"}')
    frame = await receive(communicator)

    assert frame["type"] == "pong"
    assert frame["seq"] == 0
    await communicator.disconnect()


async def test_event_written_by_another_process_is_relayed_from_the_log(user, submission):
    """An event committed without any doorbell (as from `manage.py shell`) still arrives."""
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    @database_sync_to_async
    def write_event_without_publishing() -> None:
        Submission.objects.filter(pk=submission.pk).update(last_seq=1, status=READY)
        frame = build_frame(
            kind=STATUS,
            submission_id=submission.pk,
            seq=1,
            status=READY,
            notification="from elsewhere",
            validation_message=None,
            timestamp=timezone.now(),
        )
        SubmissionEvent.objects.create(
            submission=submission,
            seq=1,
            status=READY,
            message="from elsewhere",
            frame=encode(frame),
            created=timezone.now(),
        )

    await write_event_without_publishing()
    frame = await receive(communicator)

    assert frame["seq"] == 1
    assert frame["notification_message"] == "from elsewhere"
    await communicator.disconnect()


async def test_progress_frames_carry_phase_done_total(user, submission):
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    await database_sync_to_async(send_message)(submission, progress=Progress("validation", 5, 10))
    frame = await receive(communicator)

    assert frame["type"] == "progress"
    assert frame["progress"] == {"phase": "validation", "done": 5, "total": 10}
    assert frame["seq"] == 0
    await communicator.disconnect()


async def test_two_pages_of_one_submission_both_receive_each_event_once(user, submission):
    first = await connect(user, submission.pk)
    second = await connect(user, submission.pk)
    await receive(first)
    await receive(second)

    await publish_status(submission, READY, "both")

    assert (await receive(first))["seq"] == 1
    assert (await receive(second))["seq"] == 1
    assert await first.receive_nothing(timeout=0.3)
    assert await second.receive_nothing(timeout=0.1)
    await first.disconnect()
    await second.disconnect()


async def test_other_submissions_events_never_reach_the_page(user, submission):
    other = await database_sync_to_async(Submission.objects.create)(title="other", owner=user)
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    await publish_status(other, READY, "not for this page")

    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()


# -- refusals ---------------------------------------------------------------


async def assert_refused(user, pk) -> None:
    communicator = WebsocketCommunicator(application(), f"/ws/submissions/{pk}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected  # accepted only to say why, then closed at once
    output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    await communicator.wait()


async def test_anonymous_user_is_refused_without_a_frame(submission):
    from django.contrib.auth.models import AnonymousUser

    await assert_refused(AnonymousUser(), submission.pk)


async def test_other_users_submission_and_missing_submission_get_the_same_refusal(other_user, submission):
    await assert_refused(other_user, submission.pk)
    await assert_refused(other_user, 999999)


@pytest.mark.parametrize("pk", ["abc", "1" + "0" * 30, "١٢", "..", "%2e%2e", "-1", "0"])
async def test_malformed_ids_are_refused_like_foreign_ones(user, pk):
    await assert_refused(user, pk)


async def test_staff_may_watch_any_submission(staff_user, submission):
    communicator = await connect(staff_user, submission.pk)
    assert (await receive(communicator))["type"] == "snapshot"
    await communicator.disconnect()


# -- client frames ----------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"text_data": "not json"}, close_codes.BAD_FRAME),
        ({"text_data": "[1, 2]"}, close_codes.BAD_FRAME),
        ({"text_data": '{"type": "status", "status": 6, "seq": 99}'}, close_codes.BAD_FRAME),
        ({"bytes_data": b"\x00\x01"}, close_codes.UNSUPPORTED_DATA),
        ({"text_data": json.dumps({"type": "ping", "pad": "x" * 5000})}, close_codes.MESSAGE_TOO_BIG),
    ],
)
async def test_bad_client_frames_close_with_a_documented_code(user, submission, payload, code):
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    await communicator.send_to(**payload)
    output = await communicator.receive_output(timeout=2)

    assert output == {"type": "websocket.close", "code": code}


async def test_spoofed_status_frame_is_never_broadcast(user, submission):
    """A client claiming a status change reaches nobody, and the database is unchanged."""
    watcher = await connect(user, submission.pk)
    spoofer = await connect(user, submission.pk)
    await receive(watcher)
    await receive(spoofer)

    await spoofer.send_to(text_data=json.dumps({"type": "status", "status": 6, "seq": 1, "message": "Completed"}))
    await spoofer.receive_output(timeout=2)

    assert await watcher.receive_nothing(timeout=0.3)
    refreshed = await database_sync_to_async(Submission.objects.get)(pk=submission.pk)
    assert refreshed.status == WAITING
    assert refreshed.last_seq == 0
    await watcher.disconnect()


async def test_flooding_client_is_closed_for_rate(user, submission):
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    for _ in range(60):
        await communicator.send_to(text_data='{"type": "resume", "since": 0}')
    outputs = []
    while True:
        output = await communicator.receive_output(timeout=3)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break

    assert outputs[-1] == {"type": "websocket.close", "code": close_codes.RATE_LIMITED}


async def test_an_event_from_a_rolled_back_transaction_never_reaches_a_page(user, submission):
    """The page sees nothing from a failed job, then the next committed event as seq 1."""
    communicator = await connect(user, submission.pk)
    await receive(communicator)

    @database_sync_to_async
    def failing_job() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                submission.status = READY
                submission.message = "never happened"
                submission.save()
                send_message(submission, None)
                raise RuntimeError("job failed after publishing")
        except RuntimeError:
            pass

    await failing_job()
    assert await communicator.receive_nothing(timeout=0.5)
    await publish_status(submission, LOADED, "real")
    frame = await receive(communicator)

    assert frame["seq"] == 1
    assert frame["notification_message"] == "real"
    await communicator.disconnect()


async def test_progress_is_coalesced_to_the_latest_frame_per_phase():
    outbox = Outbox()
    outbox.put_progress("import", "a")
    outbox.put_progress("import", "b")
    outbox.put_progress("validation", "c")

    assert len(outbox.items) == 2
    assert outbox.progress == {"import": "b", "validation": "c"}


async def test_status_frames_queue_in_order_until_the_bound_then_flag_overflow():
    outbox = Outbox()
    for seq in range(1, MAX_QUEUED + 6):
        outbox.put_status(seq, f"frame {seq}")

    assert len(outbox.items) == MAX_QUEUED
    assert outbox.overflowed
    assert [item[1] for item in list(outbox.items)[:3]] == [1, 2, 3]
    outbox.reset()
    assert not outbox.items
    assert not outbox.overflowed
