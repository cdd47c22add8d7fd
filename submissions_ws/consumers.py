"""The socket behind `/ws/submissions/<pk>/`.

Order on connect follows Zulip's event queues: join first (the hub starts
buffering this socket's events), then send a replay or snapshot read from the
database, then go live from the buffer, skipping what the read already
covered. Nothing falls between the read and the live stream, and nothing is
sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.utils import timezone

from submissions.frames import PONG, PROGRESS, encode
from submissions_ws import close_codes, selectors
from submissions_ws.hub import Hub, get_hub
from submissions_ws.outbox import Outbox
from submissions_ws.parsing import FrameError, TokenBucket, parse_client_frame, parse_seq, parse_submission_id

logger = logging.getLogger(__name__)

MAX_SOCKETS_PER_USER = 50
_sockets_per_user: dict[int, int] = {}


class SubmissionConsumer(AsyncWebsocketConsumer):
    # No per-socket channel: the hub holds one channel per process. An alias
    # that names no layer makes Channels skip `new_channel()` for each socket.
    channel_layer_alias = "submissions_ws.hub-only"

    seq: int | None = None
    session_key: str | None = None

    async def connect(self) -> None:
        self.hub: Hub | None = None
        self.writer: asyncio.Task[None] | None = None
        self.outbox = Outbox()
        self.user_id: int | None = None
        self.bucket = TokenBucket()
        self.submission_id = parse_submission_id(self.scope["url_route"]["kwargs"].get("pk"))
        user = self.scope.get("user")
        if self.submission_id is None:
            await self._refuse(close_codes.FORBIDDEN)
            return
        try:
            allowed = await database_sync_to_async(selectors.may_view)(user, self.submission_id)
        except DatabaseError:
            await self._refuse(close_codes.TRY_AGAIN_LATER)
            return
        if not allowed:
            await self._refuse(close_codes.FORBIDDEN)
            return
        if _sockets_per_user.get(user.pk, 0) >= MAX_SOCKETS_PER_USER:
            await self._refuse(close_codes.TOO_MANY)
            return
        self.user_id = user.pk
        _sockets_per_user[user.pk] = _sockets_per_user.get(user.pk, 0) + 1
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)

        self.hub = await get_hub()
        await self.hub.subscribe(self.submission_id, self)
        await self.accept()
        since = parse_seq(parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("since", [None])[-1])
        try:
            await self._resync(since)
        except DatabaseError:
            await self.close(code=close_codes.TRY_AGAIN_LATER)
            return
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def _refuse(self, code: int) -> None:
        # Accept, then close at once: the page learns why (a close code)
        # instead of a bare handshake failure, and no data frame is sent.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer
        if self.hub is not None and self.submission_id is not None:
            await self.hub.unsubscribe(self.submission_id, self)
            self.hub = None
        if self.user_id is not None:
            remaining = _sockets_per_user.get(self.user_id, 1) - 1
            if remaining > 0:
                _sockets_per_user[self.user_id] = remaining
            else:
                _sockets_per_user.pop(self.user_id, None)
            self.user_id = None

    # -- hub side -----------------------------------------------------------

    def deliver(self, message: dict[str, Any]) -> None:
        """Queue an event; never blocks the hub, whatever this socket's speed."""
        if message["kind"] == PROGRESS:
            self.outbox.put_progress(message["phase"], message["frame"])
        else:
            self.outbox.put_status(message["seq"], message["frame"])

    def end_session(self) -> None:
        """The sign-in behind this socket ended: stop delivering and close."""
        self.session_key = None
        if self.hub is not None and self.submission_id is not None:
            self.hub.subscribers.get(self.submission_id, set()).discard(self)
        if self.writer is not None:
            self.writer.cancel()
        asyncio.get_running_loop().create_task(self.close(code=close_codes.SESSION_ENDED))

    async def _write_loop(self) -> None:
        outbox = self.outbox
        try:
            while True:
                await outbox.ready.wait()
                outbox.ready.clear()
                if outbox.overflowed:
                    # Too far behind to buffer: drop the buffer and read the
                    # missed events back from the log, so memory stays bounded
                    # and no status event is lost.
                    outbox.reset()
                    await self._fill(upto=None)
                while outbox.items:
                    kind, key, frame = outbox.items.popleft()
                    if kind == Outbox.STATUS:
                        await self._send_status(key, frame)
                    elif kind == Outbox.PROGRESS:
                        latest = outbox.progress.pop(key, None)
                        if latest is not None:
                            await self.send(text_data=latest)
                    else:
                        await self._resync(key)
        except DatabaseError:
            await self.close(code=close_codes.TRY_AGAIN_LATER)

    async def _send_status(self, seq: int, frame: str) -> None:
        assert self.seq is not None
        if seq <= self.seq:
            return
        if seq > self.seq + 1:
            await self._fill(upto=seq - 1)
        await self.send(text_data=frame)
        self.seq = seq

    async def _fill(self, *, upto: int | None) -> None:
        """Send missed status events from the log, in order."""
        assert self.submission_id is not None
        assert self.seq is not None
        while True:
            events = await database_sync_to_async(selectors.event_messages)(
                self.submission_id, after=self.seq, upto=upto
            )
            for event in events:
                await self.send(text_data=event["frame"])
                self.seq = event["seq"]
            if len(events) < selectors.MAX_REPLAY:
                return

    async def _resync(self, since: int | None) -> None:
        assert self.submission_id is not None
        sync = await database_sync_to_async(selectors.initial_sync)(self.submission_id, since)
        for frame in sync.frames:
            await self.send(text_data=frame)
        self.seq = sync.seq

    # -- client side --------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            await self.close(code=close_codes.RATE_LIMITED)
            return
        try:
            frame = parse_client_frame(text_data, bytes_data)
        except FrameError as error:
            await self.close(code=error.code)
            return
        if frame.kind == "ping":
            pong = {
                "type": PONG,
                "seq": self.seq,
                "submission": self.submission_id,
                "timestamp": timezone.now().isoformat(),
            }
            await self.send(text_data=encode(pong))
        else:
            self.outbox.put_resume(frame.since)
