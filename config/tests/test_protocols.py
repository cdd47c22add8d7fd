"""The frames extension of config/protocols.py, over a real socket: what a browser receives, and when it refuses."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
from uvicorn.protocols.utils import ClientDisconnected
from websockets.asyncio.client import connect

from config.protocols import ClosingWebSocketsSansIOProtocol
from submissions_ws.socket_base import FRAMES_EXTENSION, text_frame


def port_of(server: uvicorn.Server) -> int:
    return server.servers[0].sockets[0].getsockname()[1]


@contextlib.asynccontextmanager
async def serving(app):
    """uvicorn on a free loopback port with the project's WebSocket protocol; yields the server."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, ws=ClosingWebSocketsSansIOProtocol, lifespan="off")
    config.log_level = "warning"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server
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

    async with serving(app) as server:
        port = port_of(server)
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

    async with serving(app) as server:
        port = port_of(server)
        with contextlib.suppress(Exception):
            async with connect(f"ws://127.0.0.1:{port}/"):
                pass
        await asyncio.wait_for(done.wait(), 3)

    assert seen == {"after_refusal": False}


async def test_a_handshake_websockets_refuses_is_answered_and_leaves_nothing_behind():
    """A wrong Sec-WebSocket-Version gets 400 from websockets; the protocol must not fail after it."""
    called: list[dict] = []

    async def app(scope, receive, send):
        called.append(scope)

    async with serving(app) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(server))
        writer.write(
            b"GET /ws/notifications/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
            b"Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 12\r\n\r\n"
        )
        response = await asyncio.wait_for(reader.read(), 3)  # the server closes after answering
        writer.close()
        async with asyncio.timeout(3):
            while server.server_state.connections:
                await asyncio.sleep(0.01)

    assert response.startswith(b"HTTP/1.1 400")
    assert called == []


async def test_a_closed_socket_lets_go_of_its_protocol_without_a_full_collection():
    import gc
    import weakref

    protocols: list[weakref.ref] = []
    done = asyncio.Event()

    async def app(scope, receive, send):
        await receive()
        protocols.append(weakref.ref(scope["extensions"][FRAMES_EXTENSION]["write"].__self__))
        await send({"type": "websocket.accept"})
        await receive()  # the client's close
        done.set()

    gc.disable()
    try:
        async with serving(app) as server:
            async with connect(f"ws://127.0.0.1:{port_of(server)}/"):
                pass
            await asyncio.wait_for(done.wait(), 3)
            async with asyncio.timeout(3):
                while server.server_state.connections:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0)  # the app's task finishes and drops its frame
            (protocol,) = protocols
            assert protocol() is None
    finally:
        gc.enable()
