"""Closing a socket whose client already left is quiet."""

from __future__ import annotations

import asyncio
import gc

from uvicorn.protocols.utils import ClientDisconnected

from submissions_ws.socket_base import LiveSocket


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
