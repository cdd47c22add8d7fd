"""Throttled progress reporting for long jobs, and where they notice a cancel.

Pages want a frame at least every 0.5 s while a phase runs, but a job that
handles thousands of records a second must not publish thousands of frames:
this sends at most one every `interval` seconds, plus the final one.

Every phase and every reader already reports progress from inside its
loops, so the reporter is also where a job learns that its owner pressed
Cancel: at most every `CANCEL_CHECK_SECONDS` it reads the submission's
`job_cancel_requested` and raises `JobCancelled` from the loop that called
it. The job's own transaction (the import's) then rolls back on the way out.
The flag is read from the database, so it reaches a thread job and a Celery
worker alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from submissions.events import Progress, send_message
from uid.models import Submission

PROGRESS_INTERVAL = 0.1
# The longest a running phase stays silent: pages are promised a frame at least every 0.5 s.
KEEPALIVE_SECONDS = 0.4
# How often a reporting job reads its cancel flag: one primary-key read, a
# few times a second, so a cancel takes effect well within a second.
CANCEL_CHECK_SECONDS = 0.25


class JobCancelled(BaseException):
    """The owner cancelled the phase; raised from the job's progress report.

    A BaseException, as asyncio.CancelledError is: a reader that turns any
    `Exception` into a message about the file (the .xlsx reader does) must
    not swallow a cancel and carry on.
    """


class ProgressReporter:
    """Callable as `report(done, total)`; safe to call once per record."""

    def __init__(
        self,
        submission: Submission,
        phase: str,
        *,
        interval: float = PROGRESS_INTERVAL,
        cancel_check: float | None = None,
    ) -> None:
        self.submission = submission
        self.phase = phase
        self.interval = interval
        self.cancel_check = CANCEL_CHECK_SECONDS if cancel_check is None else cancel_check
        self._last_sent = float("-inf")
        # The first read waits one period: a one-off report (the archive poller's) costs no query.
        self._last_checked = time.monotonic()
        # The latest numbers reported, for the keepalive; 0 of 0 until the phase has counted anything.
        self._done = self._total = 0

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        """Report progress; raises JobCancelled if the owner asked to stop."""
        self._done, self._total = done, total
        now = time.monotonic()
        if now - self._last_checked >= self.cancel_check:
            self._last_checked = now
            self.raise_if_cancelled()
        if not force and done < total and now - self._last_sent < self.interval:
            return
        self._send(done, total, now)

    def last(self, done: int, total: int) -> None:
        """The phase's final figures, once its work is committed: too late to cancel."""
        self._done, self._total = done, total
        self._send(done, total, time.monotonic())

    def raise_if_cancelled(self) -> None:
        if Submission.objects.filter(pk=self.submission.pk, job_cancel_requested=True).exists():
            raise JobCancelled(f"the {self.phase} of submission {self.submission.pk} was cancelled")

    def _send(self, done: int, total: int, now: float) -> None:
        self._last_sent = now
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
