"""What both sockets share: a quiet close after the client left, what an idle socket holds, prepared frames."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from uvicorn.protocols.utils import ClientDisconnected
from websockets.frames import Frame, Opcode

from config.asgi import application
from submissions_ws.consumers import SubmissionConsumer
from submissions_ws.hub import get_hub
from submissions_ws.socket_base import LiveSocket, open_sockets, prepared, sockets_of, text_frame
from submissions_ws.tests.sockets import FramesServer, parse_server_frames, receive_frames, session_cookie, socket
from submissions_ws.user_consumer import UserNotificationConsumer


async def test_closing_for_an_ended_session_after_the_client_left_reports_no_task_exception():
    loop = asyncio.get_running_loop()
    reported: list[dict] = []
    loop.set_exception_handler(lambda loop, context: reported.append(context))
    closes: list[int] = []

    async def client_gone(code: int) -> None:
        closes.append(code)
        raise ClientDisconnected

    socket = LiveSocket()
    socket.reset_socket_state()
    socket.close = client_gone  # type: ignore[method-assign]

    socket.close_for_ended_session()
    while not closes:
        await asyncio.sleep(0)
    await asyncio.sleep(0)  # one more turn: the close task finishes with its exception
    del socket
    gc.collect()  # a task dropped with an unretrieved exception reports it here

    assert closes == [4401]
    assert reported == []


@pytest.mark.django_db(transaction=True)
async def test_an_idle_socket_runs_no_task_of_its_own_and_forgets_its_handshake(user, submission):
    """Each idle socket costs only the task that runs it: no receive task, no writer; no session or user kept."""
    cookie = await session_cookie(user)
    first = socket(submission.pk, cookie)
    await first.connect()
    await first.receive_from(timeout=3)  # the hub and its loops are running now
    before = len(asyncio.all_tasks())

    others = [socket(submission.pk, cookie) for _ in range(3)]
    for other in others:
        await other.connect()
        await other.receive_from(timeout=3)

    assert len(asyncio.all_tasks()) - before == 3  # the communicator's task running each consumer
    for consumer in (await get_hub()).submissions.subscribers_of(submission.pk):
        assert consumer.writer is None
        assert not {"session", "user", "headers", "query_string"} & consumer.scope.keys()
    for communicator in [first, *others]:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_writer_runs_while_frames_wait_and_ends_when_none_do(user, submission):
    communicator = socket(submission.pk, await session_cookie(user))
    await communicator.connect()
    await communicator.receive_from(timeout=3)
    (consumer,) = (await get_hub()).submissions.subscribers_of(submission.pk)

    consumer.deliver({"kind": "status", "seq": 1, "frame": '{"type":"status","seq":1}'})
    assert consumer.writer is not None
    consumer.deliver({"kind": "status", "seq": 2, "frame": '{"type":"status","seq":2}'})

    assert [await communicator.receive_from(timeout=3) for _ in range(2)] == [
        '{"type":"status","seq":1}',
        '{"type":"status","seq":2}',
    ]
    await asyncio.sleep(0)
    assert consumer.writer is None
    await communicator.disconnect()


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_prepared_text_frame_is_the_frame_websockets_would_send(length):
    text = "é" * (length // 2) + "x" * (length % 2)
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])

    assert text_frame(text) == expected
    assert parse_server_frames(text_frame(text)) == [text]


def test_one_events_frame_is_encoded_once_for_every_socket():
    message = {"frame": '{"type":"status","seq":1}'}

    first = prepared(message)

    assert prepared(message) is first
    assert parse_server_frames(first) == ['{"type":"status","seq":1}']


async def framed_socket(user, submission):
    """A live submission socket served with the frames extension: (server, communicator, consumer), snapshot read."""
    server = FramesServer()
    communicator = socket(submission.pk, await session_cookie(user))
    server.attach(communicator)
    await communicator.connect()
    snapshot = await receive_frames(communicator)
    assert snapshot[0].startswith('{"type":"snapshot"')
    (consumer,) = (await get_hub()).submissions.subscribers_of(submission.pk)
    return server, communicator, consumer


@pytest.mark.django_db(transaction=True)
async def test_with_the_frames_extension_an_idle_socket_is_written_by_the_hub_itself(user, submission):
    server, communicator, consumer = await framed_socket(user, submission)
    seq = consumer.seq

    consumer.deliver({"kind": "status", "seq": seq + 1, "frame": f'{{"seq":{seq + 1}}}'})
    consumer.deliver({"kind": "progress", "phase": "validation", "seq": seq + 1, "frame": '{"type":"progress"}'})
    consumer.deliver({"kind": "status", "seq": seq + 2, "frame": f'{{"seq":{seq + 2}}}'})

    assert consumer.writer is None  # no task: each frame went out from the hub's call
    assert [parse_server_frames(data) for data in server.written] == [
        [f'{{"seq":{seq + 1}}}'],
        ['{"type":"progress"}'],
        [f'{{"seq":{seq + 2}}}'],
    ]
    assert consumer.seq == seq + 2
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_frames_that_queue_while_the_transport_is_paused_go_out_in_order_in_one_write(user, submission):
    server, communicator, consumer = await framed_socket(user, submission)
    seq = consumer.seq
    server.writable = False

    consumer.deliver({"kind": "status", "seq": seq + 1, "frame": '{"n":1}'})
    server.writable = True  # the frame queued: those behind it queue too, to keep the order
    consumer.deliver({"kind": "status", "seq": seq + 2, "frame": '{"n":2}'})
    consumer.deliver({"kind": "status", "seq": seq + 1, "frame": '{"n":"again"}'})  # a repeat is dropped

    assert await receive_frames(communicator) == ['{"n":1}', '{"n":2}']
    assert server.written == []
    assert consumer.seq == seq + 2
    await asyncio.sleep(0)
    assert consumer.writer is None
    await communicator.disconnect()


def _gone_at(message_type: str) -> Any:
    """`config.asgi.application`, served as uvicorn serves a client that left: its `send` of `message_type` raises."""

    async def app(scope: dict, receive: Any, send: Any) -> None:
        async def leaving_send(message: dict) -> None:
            if message["type"] == message_type:
                raise ClientDisconnected
            await send(message)

        await application(scope, receive, leaving_send)

    return app


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "gone_at"), [("submission", "websocket.accept"), ("submission", "websocket.send"),
                                               ("notifications", "websocket.accept")])  # fmt: skip
async def test_a_client_that_left_during_the_connect_leaves_no_route_and_no_slot(user, submission, path, gone_at):
    """uvicorn raises ClientDisconnected from the accept (or the first sync) and dispatches no disconnect after it."""
    hub = await get_hub()
    url = f"/ws/submissions/{submission.pk}/" if path == "submission" else "/ws/notifications/"
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"),
               (b"cookie", f"sessionid={await session_cookie(user)}".encode())]  # fmt: skip
    communicator = WebsocketCommunicator(_gone_at(gone_at), url, headers=headers)

    async def run_to_the_end() -> None:
        await communicator.connect(timeout=3)  # raises here when the accept failed
        await communicator.wait(timeout=3)  # and here when the sync after it did

    with pytest.raises(ClientDisconnected):
        await run_to_the_end()

    assert sockets_of(user.pk) == 0  # the person's cap is not one socket lower for the process's life
    assert not open_sockets
    assert submission.pk not in hub.submissions.served()
    assert user.pk not in hub.users.served()


@pytest.mark.parametrize("consumer", [SubmissionConsumer, UserNotificationConsumer])
async def test_a_socket_that_ended_before_its_connect_cleans_up_without_an_error(consumer, caplog):
    async def receive() -> dict:
        raise ConnectionResetError("the server's connection went away before the first message")

    async def send(message: dict) -> None:
        raise AssertionError(f"nothing is sent: {message}")

    with pytest.raises(ConnectionResetError):
        await consumer()({"type": "websocket", "path": "/ws/"}, receive, send)

    assert [record.getMessage() for record in caplog.records if record.levelname == "ERROR"] == []
