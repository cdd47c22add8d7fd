"""A socket's bounded queue of frames waiting to be written.

The hub appends without awaiting, so one slow page cannot hold up the
others. Progress frames are coalesced to the latest per phase. Status frames
are kept in order up to a bound; past it the queue is dropped and the socket
re-reads the missed events from the event log, so memory stays bounded
without losing a status event.
"""

from __future__ import annotations

import asyncio
from collections import deque

from common import metrics

MAX_QUEUED = 1000


class Outbox:
    STATUS = 0
    PROGRESS = 1
    RESUME = 2

    __slots__ = ("items", "overflowed", "progress", "ready")

    def __init__(self) -> None:
        # (kind, key, frame, the send_message stamp or 0.0 when this socket takes no latency sample)
        self.items: deque[tuple[int, object, str, float]] = deque()
        self.progress: dict[str, str] = {}
        self.ready = asyncio.Event()
        self.overflowed = False

    def put_status(self, seq: int, frame: str, stamped: float = 0.0) -> None:
        if len(self.items) >= MAX_QUEUED:
            if not self.overflowed:
                metrics.outbox_overflowed()
            self.overflowed = True
        else:
            self.items.append((self.STATUS, seq, frame, stamped))
        self.ready.set()

    def put_progress(self, phase: str, frame: str) -> None:
        if phase not in self.progress:
            self.items.append((self.PROGRESS, phase, "", 0.0))
        self.progress[phase] = frame
        self.ready.set()

    def put_resume(self, since: int | None) -> None:
        self.items.append((self.RESUME, since, "", 0.0))
        self.ready.set()

    def reset(self) -> None:
        """Forget queued frames after an overflow (the log has them)."""
        self.items.clear()
        self.progress.clear()
        self.overflowed = False
