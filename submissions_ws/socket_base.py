"""What the two live sockets share: the per-user cap, refusals, the writer task and client frames.

`/ws/submissions/<pk>/` and `/ws/notifications/` follow the same rules, so
they are written once here: a refused page is accepted and closed at once so
it learns why from the close code; a person holds at most
`MAX_SOCKETS_PER_USER` sockets of either kind per process; the client may
only send `ping` and `resume`, at a bounded rate. Neither socket has a
channel of its own: the hub holds one per process.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from common import metrics
from submissions_ws import close_codes, cluster_cap
from submissions_ws.parsing import ClientFrame, FrameError, TokenBucket, parse_client_frame

MAX_SOCKETS_PER_USER = 50
# Open sockets per user id in this process, both kinds together.
_sockets_per_user: dict[int, int] = {}
# Every accepted socket of this process, so a draining server can close them (submissions_ws.drain).
open_sockets: set[LiveSocket] = set()


def sockets_of(user_id: int) -> int:
    """How many live sockets `user_id` holds in this process."""
    return _sockets_per_user.get(user_id, 0)


class LiveSocket(AsyncWebsocketConsumer):
    # An alias that names no layer makes Channels skip `new_channel()` for each socket.
    channel_layer_alias = "submissions_ws.hub-only"
    # The `endpoint` label of the sockets-open metric.
    endpoint = "submission"

    session_key: str | None = None
    user_id: int | None = None
    writer: asyncio.Task[None] | None = None
    closing: asyncio.Task[None] | None = None

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
        self.writer = None
        self.user_id = None
        self.bucket = TokenBucket()

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

    def start_writer(self) -> None:
        self.writer = asyncio.get_running_loop().create_task(self.write_loop())

    async def stop_writer(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer
            self.writer = None

    def close_for_ended_session(self) -> None:
        """The sign-in behind this socket ended: stop writing and close with 4401 (the hub calls this)."""
        self.session_key = None
        if self.writer is not None:
            self.writer.cancel()
        # Held until done: the loop keeps only a weak reference to a task.
        self.closing = asyncio.get_running_loop().create_task(self._close_quietly(close_codes.SESSION_ENDED))

    async def _close_quietly(self, code: int) -> None:
        # The client may have left meanwhile: uvicorn then raises ClientDisconnected
        # (an OSError), or RuntimeError if a close was already sent. Nothing to tell.
        with contextlib.suppress(OSError, RuntimeError):
            await self.close(code=code)

    async def write_loop(self) -> None:
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
