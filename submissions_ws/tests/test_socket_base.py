"""What both sockets share: a quiet close after the client left, and what an idle socket holds."""

from __future__ import annotations

import asyncio
import gc

import pytest
from uvicorn.protocols.utils import ClientDisconnected

from submissions_ws.hub import get_hub
from submissions_ws.socket_base import LiveSocket
from submissions_ws.tests.sockets import session_cookie, socket


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
