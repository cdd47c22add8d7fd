"""Throttled progress reporting for long jobs.

Pages want a frame at least every 0.5 s while a phase runs, but a job that
handles thousands of records a second must not publish thousands of frames:
this sends at most one every `interval` seconds, plus the final one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from submissions.frames import Progress
from submissions.helpers import send_message
from uid.models import Submission

PROGRESS_INTERVAL = 0.1
# The longest a running phase stays silent: pages are promised a frame at least every 0.5 s.
KEEPALIVE_SECONDS = 0.4


class ProgressReporter:
    """Callable as `report(done, total)`; safe to call once per record."""

    def __init__(self, submission: Submission, phase: str, *, interval: float = PROGRESS_INTERVAL) -> None:
        self.submission = submission
        self.phase = phase
        self.interval = interval
        self._last_sent = float("-inf")
        # The latest numbers reported, for the keepalive; 0 of 0 until the phase has counted anything.
        self._done = self._total = 0
        self.sent = 0

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        self._done, self._total = done, total
        now = time.monotonic()
        if not force and done < total and now - self._last_sent < self.interval:
            return
        self._send(done, total, now)

    def _send(self, done: int, total: int, now: float) -> None:
        self._last_sent = now
        self.sent += 1
        send_message(self.submission, progress=Progress(self.phase, done, total))

    @contextmanager
    def keepalive(self, every: float = KEEPALIVE_SECONDS) -> Iterator[None]:
        """Repeat the latest progress while a step runs that cannot report itself.

        A bulk write, the id check or ANALYZE at the end of a phase can take
        seconds on 100,000 records with nothing to count; pages are promised
        a frame at least every half second while a phase runs, and a bar that
        stops looks like a job that died. `send_message` with progress only
        hands a frame to the publisher, so calling it from this thread is safe.
        """
        stop = threading.Event()

        def repeat() -> None:
            while not stop.wait(every / 4):
                now = time.monotonic()
                if now - self._last_sent >= every:
                    self._send(self._done, self._total, now)

        thread = threading.Thread(target=repeat, name=f"progress-keepalive-{self.phase}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
