"""The socket behind `/ws/submissions/<pk>/`.

Order on connect follows Zulip's event queues: join first (the hub starts
buffering this socket's events), then send a replay or snapshot read from the
database, then go live from the buffer, skipping what the read already
covered. Nothing falls between the read and the live stream, and nothing is
sent twice.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.utils import timezone

from common import metrics
from submissions.events import PONG, PROGRESS, encode
from submissions_ws import close_codes, drain, selectors
from submissions_ws.auth import surely_anonymous
from submissions_ws.hub import get_hub
from submissions_ws.parsing import ClientFrame, parse_seq, parse_submission_id
from submissions_ws.routes import Routes
from submissions_ws.socket_base import LiveSocket

logger = logging.getLogger(__name__)

# Status frames a socket may have queued before it is refilled from the log instead.
MAX_QUEUED = 1000


class Outbox:
    """A socket's bounded queue of frames waiting to be written.

    The hub appends without awaiting, so one slow page cannot hold up the
    others. Progress frames are coalesced to the latest per phase. Status frames
    are kept in order up to a bound; past it the queue is dropped and the socket
    re-reads the missed events from the event log, so memory stays bounded
    without losing a status event.

    It holds no event or deque of its own (760 bytes each, per idle socket):
    the socket starts its writer when it queues something, and a list is
    short-lived (the writer empties it; the bound keeps `pop(0)` cheap).
    """

    STATUS = 0
    PROGRESS = 1
    RESUME = 2

    __slots__ = ("items", "overflowed", "progress")

    def __init__(self) -> None:
        # (kind, key, frame, the send_message stamp or 0.0 when this socket takes no latency sample), oldest first
        self.items: list[tuple[int, object, str, float]] = []
        self.progress: dict[str, str] = {}
        self.overflowed = False

    def __bool__(self) -> bool:
        """Whether anything waits to be written."""
        return bool(self.items) or self.overflowed

    def put_status(self, seq: int, frame: str, stamped: float = 0.0) -> None:
        if len(self.items) >= MAX_QUEUED:
            if not self.overflowed:
                metrics.outbox_overflowed()
            self.overflowed = True
        else:
            self.items.append((self.STATUS, seq, frame, stamped))

    def put_progress(self, phase: str, frame: str) -> None:
        if phase not in self.progress:
            self.items.append((self.PROGRESS, phase, "", 0.0))
        self.progress[phase] = frame

    def put_resume(self, since: int | None) -> None:
        self.items.append((self.RESUME, since, "", 0.0))

    def reset(self) -> None:
        """Forget queued frames after an overflow (the log has them)."""
        self.items.clear()
        self.progress.clear()
        self.overflowed = False


class _Batch:
    """Frames taken from the outbox to go out in one write, with what the metrics learn once it went."""

    __slots__ = ("frames", "kinds", "stamps")

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.kinds: dict[str, int] = {}
        self.stamps: list[float] = []

    def add(self, frame: str, kind: str, stamped: float = 0.0) -> None:
        self.frames.append(frame)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if stamped:
            self.stamps.append(stamped)

    async def flush(self, socket: LiveSocket) -> _Batch:
        """Write the frames, count them, take the latency samples; an empty batch to go on with."""
        if self.frames:
            await socket.write_frames(self.frames)
            for kind, count in self.kinds.items():
                metrics.frame_sent(kind, count)
            for stamped in self.stamps:
                metrics.delivered(stamped)
        return _Batch()


class SubmissionConsumer(LiveSocket):
    seq: int | None = None
    # What `disconnect` leaves, None until `connect` joined it (it may run for a socket that never connected).
    routes: Routes | None = None
    submission_id: int | None = None

    async def connect(self) -> None:
        self.reset_socket_state()
        self.outbox = Outbox()
        self.submission_id = parse_submission_id(self.scope["url_route"]["kwargs"].get("pk"))
        if drain.draining():
            await self.refuse(close_codes.SERVICE_RESTART)
            return
        if self.submission_id is None or surely_anonymous(self.scope):
            await self.refuse(close_codes.FORBIDDEN)
            return
        since = parse_seq(parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("since", [None])[-1])

        # Join first: from here on the hub buffers this socket's events, so
        # nothing falls between the read below and going live. A refused
        # socket leaves again before anything is sent.
        self.routes = (await get_hub()).submissions
        await self.routes.subscribe(self.submission_id, self)
        try:
            opened = await database_sync_to_async(selectors.open_view)(self.scope, self.submission_id, since)
        except DatabaseError:
            await self._refuse_and_leave(close_codes.TRY_AGAIN_LATER)
            return
        if opened is None:
            await self._refuse_and_leave(close_codes.FORBIDDEN)
            return
        if not await self.claim_slot(opened.user):
            await self._refuse_and_leave(close_codes.TOO_MANY)
            return
        await self.accept()
        await self._send_sync(opened.sync)
        self.go_live()

    async def _refuse_and_leave(self, code: int) -> None:
        routes, self.routes = self.routes, None
        if routes is not None and self.submission_id is not None:
            await routes.unsubscribe(self.submission_id, self)
        await self.refuse(code)

    async def disconnect(self, code: int) -> None:
        await self.stop_writer()
        if self.routes is not None and self.submission_id is not None:
            await self.routes.unsubscribe(self.submission_id, self)
            self.routes = None
        await self.release_slot()

    # -- hub side -----------------------------------------------------------

    def deliver(self, message: dict[str, Any]) -> None:
        """Write or queue an event; never blocks the hub, whatever this socket's speed."""
        if message["kind"] == PROGRESS:
            if self.try_write_now(message):
                metrics.frame_sent("progress")
                return
            self.outbox.put_progress(message["phase"], message["frame"])
        else:
            seq = message["seq"]
            # Only the next event in order goes out at once; anything else queues for the writer's gap fill.
            if self.seq is not None and seq == self.seq + 1 and self.try_write_now(message):
                self.seq = seq
                metrics.frame_sent("status")
                stamped = message.pop("sent_at", 0.0)
                if stamped:
                    metrics.delivered(stamped)
                return
            # The first socket of this process to get the event takes its
            # `send_message` stamp: one latency sample per event, not per socket.
            self.outbox.put_status(seq, message["frame"], message.pop("sent_at", 0.0))
        self.wake_writer()

    def end_session(self) -> None:
        """The sign-in behind this socket ended (the hub no longer delivers to it): close."""
        self.close_for_ended_session()

    def has_pending(self) -> bool:
        return bool(self.outbox)

    async def write_pending(self) -> None:
        outbox = self.outbox
        try:
            while outbox:
                if outbox.overflowed:
                    # Too far behind to buffer: drop the buffer and read the
                    # missed events back from the log, so memory stays bounded
                    # and no status event is lost.
                    outbox.reset()
                    await self._fill(upto=None)
                await self._write_queued()
        except DatabaseError:
            await self.close(code=close_codes.TRY_AGAIN_LATER)

    async def _write_queued(self) -> None:
        """Write what is queued now, in order, joining the frames between two database reads into one write."""
        outbox = self.outbox
        batch = _Batch()
        while outbox.items:
            kind, key, frame, stamped = outbox.items.pop(0)
            if kind == Outbox.STATUS:
                assert isinstance(key, int)
                assert self.seq is not None
                if key <= self.seq:
                    continue  # already sent, by a gap fill or the connect's sync
                if key > self.seq + 1:
                    batch = await batch.flush(self)
                    await self._fill(upto=key - 1)
                batch.add(frame, "status", stamped)
                self.seq = key
            elif kind == Outbox.PROGRESS:
                latest = outbox.progress.pop(key, None)  # type: ignore[call-overload]
                if latest is not None:
                    batch.add(latest, "progress")
            else:
                batch = await batch.flush(self)
                await self._resync(key)  # type: ignore[arg-type]
        await batch.flush(self)

    async def _fill(self, *, upto: int | None) -> None:
        """Send missed status events from the log, in order."""
        assert self.submission_id is not None
        assert self.seq is not None
        while True:
            events = await database_sync_to_async(selectors.event_messages)(
                self.submission_id, after=self.seq, upto=upto
            )
            await self.write_frames([event["frame"] for event in events])
            if events:
                self.seq = events[-1]["seq"]
                metrics.frame_sent("status", len(events))
            if len(events) < selectors.MAX_REPLAY:
                return

    async def _resync(self, since: int | None) -> None:
        assert self.submission_id is not None
        await self._send_sync(await database_sync_to_async(selectors.initial_sync)(self.submission_id, since))

    async def _send_sync(self, sync: selectors.InitialSync) -> None:
        await self.write_frames(list(sync.frames))
        # A snapshot is one frame, and `encode` writes `type` first.
        snapshot = len(sync.frames) == 1 and sync.frames[0].startswith('{"type":"snapshot"')
        metrics.frame_sent("snapshot" if snapshot else "status", len(sync.frames))
        self.seq = sync.seq

    # -- client side --------------------------------------------------------

    async def on_client_frame(self, frame: ClientFrame) -> None:
        if frame.kind == "ping":
            pong = {
                "type": PONG,
                "seq": self.seq,
                "submission": self.submission_id,
                "timestamp": timezone.now().isoformat(),
            }
            await self.send(text_data=encode(pong))
            metrics.frame_sent("pong")
        else:
            self.outbox.put_resume(frame.since)
            self.wake_writer()
