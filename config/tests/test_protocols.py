"""The frames extension of config/protocols.py, over a real socket: what a browser receives, and when it refuses."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
from uvicorn.protocols.utils import ClientDisconnected
from websockets.asyncio.client import connect

from config.protocols import ClosingWebSocketsSansIOProtocol
from submissions_ws.socket_base import FRAMES_EXTENSION, text_frame


@contextlib.asynccontextmanager
async def serving(app):
    """uvicorn on a free loopback port with the project's WebSocket protocol; yields the port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, ws=ClosingWebSocketsSansIOProtocol, lifespan="off")
    config.log_level = "warning"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_prepared_frames_reach_the_client_in_order_beside_ordinary_sends():
    seen: dict[str, object] = {}
    done = asyncio.Event()

    async def app(scope, receive, send):
        await receive()  # websocket.connect
        write = scope["extensions"][FRAMES_EXTENSION]["write"]
        seen["before_accept"] = write(text_frame("too early"))
        await send({"type": "websocket.accept"})
        seen["written"] = write(text_frame("one") + text_frame("two"))
        await send({"type": FRAMES_EXTENSION, "frames": text_frame("three" * 40)})
        await send({"type": "websocket.send", "text": "four"})
        seen["closed_by"] = (await receive())["type"]
        seen["after_close"] = write(text_frame("late"))
        try:
            await send({"type": FRAMES_EXTENSION, "frames": text_frame("late")})
        except ClientDisconnected:
            seen["late_send"] = "ClientDisconnected"
        done.set()

    async with serving(app) as port:
        async with connect(f"ws://127.0.0.1:{port}/") as client:
            received = [await asyncio.wait_for(client.recv(), 3) for _ in range(4)]
        await asyncio.wait_for(done.wait(), 3)

    assert received == ["one", "two", "three" * 40, "four"]
    assert seen == {
        "before_accept": False,
        "written": True,
        "closed_by": "websocket.disconnect",
        "after_close": False,
        "late_send": "ClientDisconnected",
    }


async def test_a_refused_handshake_takes_no_prepared_frame():
    seen: dict[str, object] = {}
    done = asyncio.Event()

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.close", "code": 1000})  # before accept: an HTTP 403
        seen["after_refusal"] = scope["extensions"][FRAMES_EXTENSION]["write"](text_frame("no"))
        done.set()

    async with serving(app) as port:
        with contextlib.suppress(Exception):
            async with connect(f"ws://127.0.0.1:{port}/"):
                pass
        await asyncio.wait_for(done.wait(), 3)

    assert seen == {"after_refusal": False}
