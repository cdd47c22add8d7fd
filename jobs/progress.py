"""Throttled progress reporting for long jobs.

Pages want a frame at least every 0.5 s while a phase runs, but a job that
handles thousands of records a second must not publish thousands of frames:
this sends at most one every `interval` seconds, plus the final one.
"""

from __future__ import annotations

import time

from submissions.frames import Progress
from submissions.helpers import send_message
from uid.models import Submission

PROGRESS_INTERVAL = 0.1


class ProgressReporter:
    """Callable as `report(done, total)`; safe to call once per record."""

    def __init__(self, submission: Submission, phase: str, *, interval: float = PROGRESS_INTERVAL) -> None:
        self.submission = submission
        self.phase = phase
        self.interval = interval
        self._last_sent = float("-inf")
        self.sent = 0

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and done < total and now - self._last_sent < self.interval:
            return
        self._last_sent = now
        self.sent += 1
        send_message(self.submission, progress=Progress(self.phase, done, total))
