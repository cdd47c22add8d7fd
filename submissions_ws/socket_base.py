"""What the two live sockets share: the per-user cap, refusals, writing, client frames, the consumer loop.

`/ws/submissions/<pk>/` and `/ws/notifications/` follow the same rules, so
they are written once here: a refused page is accepted and closed at once so
it learns why from the close code; a person holds at most
`MAX_SOCKETS_PER_USER` sockets of either kind per process; the client may
only send `ping` and `resume`, at a bounded rate. Neither socket has a
channel of its own: the hub holds one per process.

An idle socket holds as little as it can, because a server holds thousands
(issue 17: at most 4 KB per idle socket above the bare server): no task of its
own (Channels' loop wraps `receive` in one; the writer runs only while there
is something to write), and once live no handshake state (the scope's
session store, user row and headers; `forget_handshake`).

Frames go out already encoded where the server allows it (the ASGI
extension `FRAMES_EXTENSION`, config/protocols.py): one event's bytes are
built once and shared by every socket of this process (`prepared`), a frame
with nothing queued ahead of it is written by the hub's own call
(`write_now`, no task), and frames that did queue are joined into one write
(`write_frames`). Under any other server (Channels' test communicator,
daphne) the same frames go through `websocket.send`, one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from common import metrics
from submissions_ws import close_codes, cluster_cap
from submissions_ws.parsing import ClientFrame, FrameError, TokenBucket, parse_client_frame

logger = logging.getLogger(__name__)

# The ASGI extension of config/protocols.py: WebSocket frames handed over already encoded.
FRAMES_EXTENSION = "submission_live.websocket.frames"

MAX_SOCKETS_PER_USER = 50
# Open sockets per user id in this process, both kinds together.
_sockets_per_user: dict[int, int] = {}
# Every accepted socket of this process, so a draining server can close them (submissions_ws.drain).
open_sockets: set[LiveSocket] = set()


def sockets_of(user_id: int) -> int:
    """How many live sockets `user_id` holds in this process."""
    return _sockets_per_user.get(user_id, 0)


def text_frame(text: str) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455, section 5.2), as a server sends it."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        return struct.pack("!BB", 0x81, length) + payload
    if length < 65536:
        return struct.pack("!BBH", 0x81, 126, length) + payload
    return struct.pack("!BBQ", 0x81, 127, length) + payload


def prepared(message: dict[str, Any]) -> bytes:
    """The layer message's frame, encoded once for every socket it goes to (kept on the message)."""
    wire = message.get("wire")
    if wire is None:
        wire = message["wire"] = text_frame(message["frame"])
    return wire


class LiveSocket(AsyncWebsocketConsumer):
    # No layer and no groups of its own: the hub joins groups once per process.
    channel_layer_alias = "submissions_ws.hub-only"
    channel_layer = None
    groups = ()  # a tuple on the class: Channels would give each socket its own empty list
    # The `endpoint` label of the sockets-open metric.
    endpoint = "submission"

    session_key: str | None = None
    user_id: int | None = None
    # Set once `disconnect` has run (or is running): it must run exactly once, however the socket ended.
    disconnected = False
    # Whether queued frames may be written (after the connect's sync went out, until the close).
    live = False
    # The task writing queued frames, while there are any.
    writer: asyncio.Task[None] | None = None
    closing: asyncio.Task[None] | None = None
    # The server's synchronous writer of encoded frames (FRAMES_EXTENSION), when it has one.
    write_now: Callable[[bytes], bool] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' consumer loop without its task per socket: each message dispatched in turn, as there.

        `AsyncConsumer.__call__` runs `receive` in a task of its own and waits
        on it with `asyncio.wait` (a task, a waiter future and their callbacks
        held by every idle socket) so that it can listen to a layer channel as
        well; these sockets have none. Its frame would also hold the handshake
        scope for the socket's life, which `forget_handshake` lets go of.
        """
        self.scope = scope
        self.base_send = send
        self.write_now = scope.get("extensions", {}).get(FRAMES_EXTENSION, {}).get("write")
        del scope, send
        try:
            with contextlib.suppress(StopConsumer):
                while True:
                    await self.dispatch(await receive())
        finally:
            if not self.disconnected:
                # The loop ended without a disconnect: the client left during the connect, and uvicorn's
                # ClientDisconnected from the accept or the first sync ends the app with no disconnect
                # dispatched after it. Leave the routes and free the slot here, or the person's cap stays
                # one socket lower (and the hub keeps a dead subscriber) for the life of the process.
                await self._leave_quietly()

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.disconnected = True
        await super().websocket_disconnect(message)

    async def _leave_quietly(self) -> None:
        self.disconnected = True
        try:
            await self.disconnect(1006)
        except Exception:
            logger.exception("cleaning up a socket whose connect failed")

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every message.

        That call is a thread hop of its own for each connect, client frame
        and disconnect (about 8% of a connect's CPU, bench/analysis.md). These
        sockets touch the database only through `database_sync_to_async`,
        whose thread closes stale connections before and after each call.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def reset_socket_state(self) -> None:
        """Per-connection state; call first in `connect`."""
        self.bucket = TokenBucket()

    def forget_handshake(self) -> None:
        """Let go of what only the connect needed: the session store, the user row, the headers and the query.

        The scope copy was this socket's alone (submissions_ws/entry.py); uvicorn keeps its own.
        """
        scope = self.scope
        self.scope = {"type": scope["type"], "path": scope.get("path", "")}

    async def claim_slot(self, user: Any) -> bool:
        """Count this socket against `user`'s cap, in this process and (with Redis) the cluster; False when full."""
        if sockets_of(user.pk) >= MAX_SOCKETS_PER_USER:
            return False
        if cluster_cap.enabled() and not await cluster_cap.claim(
            user.pk, cluster_cap.member_id(self), MAX_SOCKETS_PER_USER
        ):
            return False
        self.user_id = user.pk
        _sockets_per_user[user.pk] = sockets_of(user.pk) + 1
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        open_sockets.add(self)
        metrics.socket_opened(self.endpoint)
        return True

    async def release_slot(self) -> None:
        if self.user_id is None:
            return
        if cluster_cap.enabled():
            await cluster_cap.release(cluster_cap.member_id(self))
        remaining = sockets_of(self.user_id) - 1
        if remaining > 0:
            _sockets_per_user[self.user_id] = remaining
        else:
            _sockets_per_user.pop(self.user_id, None)
        self.user_id = None
        open_sockets.discard(self)
        metrics.socket_closed(self.endpoint)

    async def refuse(self, code: int) -> None:
        # Accept, then close at once: the page learns why (a close code)
        # instead of a bare handshake failure, and no data frame is sent.
        metrics.connect_refused(code)
        await self.accept()
        await self.close(code=code)

    def go_live(self) -> None:
        """The connect is done: write what the hub queued meanwhile, and whatever it queues from now on."""
        self.forget_handshake()
        self.live = True
        self.wake_writer()

    def wake_writer(self) -> None:
        """Something was queued: start the writer, unless it is running (it writes until nothing is left)."""
        if self.live and self.writer is None and self.has_pending():
            self.writer = asyncio.get_running_loop().create_task(self._write())

    def try_write_now(self, message: dict[str, Any]) -> bool:
        """Write the layer message's frame from the hub's own call, if nothing is queued ahead of it.

        Most frames find their socket idle: writing them here costs no task,
        no queue and no await. False when the frame must queue instead (not
        live yet, frames ahead of it, no extension, or the transport paused).
        """
        write = self.write_now
        return (
            write is not None
            and self.live
            and self.writer is None
            and not self.has_pending()
            and write(prepared(message))
        )

    async def write_frames(self, frames: list[str]) -> None:
        """Write frames in order: in one write where the server takes encoded frames, else one by one."""
        if not frames:
            return
        if self.write_now is not None:
            await self.base_send({"type": FRAMES_EXTENSION, "frames": b"".join(map(text_frame, frames))})
            return
        for frame in frames:
            await self.send(text_data=frame)

    async def _write(self) -> None:
        try:
            await self.write_pending()
        except (OSError, RuntimeError):
            # The client left mid-write: uvicorn raises ClientDisconnected (an OSError), or
            # RuntimeError after a close; the disconnect that follows cleans up.
            pass
        finally:
            # No await since `write_pending` found nothing left, so nothing queued in between.
            self.writer = None

    async def stop_writer(self) -> None:
        self.live = False
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer
            self.writer = None

    def close_for_ended_session(self) -> None:
        """The sign-in behind this socket ended: stop writing and close with 4401 (the hub calls this)."""
        self.session_key = None
        self.live = False
        if self.writer is not None:
            self.writer.cancel()
        # Held until done: the loop keeps only a weak reference to a task.
        self.closing = asyncio.get_running_loop().create_task(self._close_quietly(close_codes.SESSION_ENDED))

    async def _close_quietly(self, code: int) -> None:
        # The client may have left meanwhile: uvicorn then raises ClientDisconnected
        # (an OSError), or RuntimeError if a close was already sent. Nothing to tell.
        with contextlib.suppress(OSError, RuntimeError):
            await self.close(code=code)

    def has_pending(self) -> bool:
        """Whether anything is queued to be written."""
        raise NotImplementedError

    async def write_pending(self) -> None:
        """Write what is queued, in order, and return once nothing is (more may be queued meanwhile)."""
        raise NotImplementedError

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            await self.close(code=close_codes.RATE_LIMITED)
            return
        try:
            frame = parse_client_frame(text_data, bytes_data)
        except FrameError as error:
            await self.close(code=error.code)
            return
        await self.on_client_frame(frame)

    async def on_client_frame(self, frame: ClientFrame) -> None:
        """A valid `ping` or `resume` from the page."""
        raise NotImplementedError
