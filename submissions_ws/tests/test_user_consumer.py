"""The per-user notification socket: the owner hears of status changes, nobody else does."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from common.constants import ERROR, LOADED, READY, WAITING
from config.asgi import application as site_application
from submissions.helpers import Progress, send_message
from submissions_ws import close_codes
from submissions_ws.hub import get_hub
from submissions_ws.routing import websocket_urlpatterns
from submissions_ws.tests.sockets import FramesServer, parse_server_frames, receive_frames
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"


async def connect(user, path: str = PATH) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@database_sync_to_async
def change_status(submission: Submission, status: int, message: str) -> None:
    submission.status = status
    submission.message = message
    submission.save()
    send_message(submission, None)


async def receive(communicator: WebsocketCommunicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=3))


async def test_the_owner_receives_a_notification_frame_after_send_message_commits(user, submission):
    """The frame names the submission, its title, new status and notification, and links to it."""
    communicator = await connect(user)

    await change_status(submission, ERROR, "Import failed: the file is not UTF-8.")
    frame = await receive(communicator)

    assert frame == {
        "type": "notification",
        "submission": submission.pk,
        "owner": user.pk,
        "seq": 1,
        "title": "Cattle 2026",
        "status": ERROR,
        "message": "Error",
        "notification_message": "Import failed: the file is not UTF-8.",
        "url": f"/submissions/{submission.pk}/",
        "timestamp": frame["timestamp"],
    }
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_another_user_and_staff_receive_nothing(user, other_user, staff_user, submission):
    """Only the owner's group is published to; staff see the submission's own page, not its owner's toasts."""
    mallory = await connect(other_user)
    sam = await connect(staff_user)
    alice = await connect(user)

    await change_status(submission, LOADED, "Loaded 3 animals and 0 samples.")

    assert (await receive(alice))["status"] == LOADED
    assert await mallory.receive_nothing(timeout=0.3)
    assert await sam.receive_nothing(timeout=0.1)
    for communicator in (alice, mallory, sam):
        await communicator.disconnect()


async def test_staff_asking_for_everyone_hear_other_peoples_submissions_once(user, other_user, staff_user, submission):
    """`?all=1` (a staff list page): every submission's frame, once, with its owner; others get their own."""
    sam = await connect(staff_user, f"{PATH}?all=1")
    mallory = await connect(other_user, f"{PATH}?all=1")
    alice = await connect(user)

    await change_status(submission, READY, "All records passed validation.")

    seen_by_staff = await receive(sam)
    assert (seen_by_staff["submission"], seen_by_staff["owner"], seen_by_staff["seq"]) == (submission.pk, user.pk, 1)
    assert (await receive(alice))["seq"] == 1
    assert await sam.receive_nothing(timeout=0.3), "the owner's group and the staff group both delivered it"
    assert await mallory.receive_nothing(timeout=0.1)
    for communicator in (alice, mallory, sam):
        await communicator.disconnect()


async def test_staff_asking_for_everyone_hear_an_event_of_another_process_through_the_log(user, staff_user, submission):
    """No doorbell (a `manage.py shell` in the embedded default): the staff sweep relays it, once."""
    sam = await connect(staff_user, f"{PATH}?all=1")

    def written_elsewhere() -> None:
        from unittest import mock

        with mock.patch("submissions.events.publish_to_group"), mock.patch("submissions.events.publish"):
            submission.status = ERROR
            submission.message = "Import failed."
            submission.save()
            send_message(submission, None)

    await database_sync_to_async(written_elsewhere)()
    frame = await receive(sam)

    assert (frame["submission"], frame["seq"], frame["status"]) == (submission.pk, 1, ERROR)
    assert await sam.receive_nothing(timeout=0.3), "the sweep announced it twice"
    await sam.disconnect()


async def test_progress_and_events_from_before_the_connect_are_not_announced(user, submission):
    """Status events only, and only those after the page opened."""
    await change_status(submission, WAITING, "Importing…")
    communicator = await connect(user)

    await database_sync_to_async(send_message)(submission, None, progress=Progress("import", 5, 10))

    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()


async def test_a_rolled_back_status_change_is_never_announced(user, submission):
    communicator = await connect(user)

    def change_then_fail() -> None:
        with transaction.atomic():
            submission.status = READY
            send_message(submission, None)
            raise RuntimeError("the job crashed before commit")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(change_then_fail)()

    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()


async def test_an_event_written_by_another_process_reaches_the_owner_through_the_log(user, submission):
    """The embedded default: a `manage.py shell` has no way to ring the doorbell, the sweep finds its event."""
    communicator = await connect(user)

    def written_elsewhere() -> None:
        # What another process leaves behind: the event in the log, no publish here.
        from unittest import mock

        with mock.patch("submissions.events.publish_to_group"), mock.patch("submissions.events.publish"):
            submission.status = READY
            submission.message = "All records passed validation."
            submission.save()
            send_message(submission, None)

    await database_sync_to_async(written_elsewhere)()
    frame = await receive(communicator)

    assert (frame["seq"], frame["status"], frame["notification_message"]) == (
        1,
        READY,
        "All records passed validation.",
    )
    assert await communicator.receive_nothing(timeout=0.3), "the sweep announced it twice"
    await communicator.disconnect()


async def test_the_doorbell_alone_reaches_the_owner_without_the_log_sweep(user, submission, monkeypatch):
    """In-process and Redis publishes go through the user's group, not only through the sweep."""

    async def no_sweep() -> None:
        return None

    monkeypatch.setattr((await get_hub()).users, "sweep", no_sweep)
    communicator = await connect(user)

    await change_status(submission, LOADED, "Loaded 3 animals and 0 samples.")

    assert (await receive(communicator))["notification_message"] == "Loaded 3 animals and 0 samples."
    await communicator.disconnect()


async def test_a_quick_series_of_changes_is_announced_once_each_and_in_order(user, submission):
    communicator = await connect(user)

    for status, text in ((WAITING, "Validating…"), (READY, "All records passed validation.")):
        await change_status(submission, status, text)
    frames = [await receive(communicator)]
    if frames[0]["seq"] == 1:
        frames.append(await receive(communicator))

    assert frames[-1]["seq"] == 2
    assert frames[-1]["status"] == READY
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_anonymous_is_refused_with_4403_and_joins_no_group(submission):
    from django.contrib.auth.models import AnonymousUser

    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    assert (await get_hub()).users.served() == set()


async def test_a_ping_is_answered_and_unknown_frames_close_with_4400(user):
    communicator = await connect(user)

    await communicator.send_json_to({"type": "ping"})
    assert (await receive(communicator))["type"] == "pong"
    await communicator.send_json_to({"type": "publish", "status": 6})

    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": close_codes.BAD_FRAME}


async def test_the_per_user_socket_cap_is_shared_with_submission_sockets(user, monkeypatch):
    monkeypatch.setattr("submissions_ws.socket_base.MAX_SOCKETS_PER_USER", 1)
    first = await connect(user)

    second = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    second.scope["user"] = user
    await second.connect()

    assert await second.receive_output(timeout=3) == {"type": "websocket.close", "code": close_codes.TOO_MANY}
    await first.disconnect()


# -- through the real ASGI stack: session cookie, origin, logout ----------------


@database_sync_to_async
def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def site_socket(client: Client, origin: str = "http://testserver") -> WebsocketCommunicator:
    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), (b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(site_application, PATH, headers=headers)


async def test_logout_closes_the_notification_socket_with_4401(user, submission):
    client = await signed_in_client(user)
    socket = site_socket(client)
    connected, _ = await socket.connect()
    assert connected

    await database_sync_to_async(client.post)("/accounts/logout/")

    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


@pytest.mark.parametrize("origin", ["http://evil.example", ""])
async def test_a_foreign_or_missing_origin_is_refused_before_accept(user, origin):
    socket = site_socket(await signed_in_client(user), origin=origin)

    connected, _ = await socket.connect()

    assert not connected


async def test_a_database_outage_on_connect_asks_the_page_to_retry_with_1013(user, monkeypatch):
    from django.db import OperationalError

    def unavailable(user_ids):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("submissions_ws.user_selectors.owned_last_seqs", unavailable)
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    communicator.scope["user"] = user
    await communicator.connect()

    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": close_codes.TRY_AGAIN_LATER,
    }
    assert (await get_hub()).users.served() == set()


async def test_with_the_frames_extension_notifications_go_out_from_the_hub_and_queued_ones_in_one_write(
    user, submission
):
    server = FramesServer()
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), PATH)
    communicator.scope["user"] = user
    server.attach(communicator)
    connected, _ = await communicator.connect()
    assert connected
    (consumer,) = [socket for _key, socket in (await get_hub()).users.members()]

    consumer.deliver({"submission": 1, "frame": '{"n":1}'})
    server.writable = False  # paused: these queue, the newer frame of submission 2 replacing the older
    consumer.deliver({"submission": 2, "frame": '{"n":2}'})
    consumer.deliver({"submission": 3, "frame": '{"n":3}'})
    consumer.deliver({"submission": 2, "frame": '{"n":"2 again"}'})

    assert [parse_server_frames(data) for data in server.written] == [['{"n":1}']]
    assert await receive_frames(communicator) == ['{"n":3}', '{"n":"2 again"}']
    await communicator.disconnect()
