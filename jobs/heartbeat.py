"""A running job's pulse, written from a thread of its own.

The job's own writes may sit inside a long transaction (the import inserts
every record atomically), and a heartbeat written there would only appear
at commit. A separate thread has its own database connection, so the pulse
is visible at once, and it stops when the job's process dies: exactly what
the watchdog needs to tell a slow job from a dead one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from uid.models import Submission

logger = logging.getLogger(__name__)


def interval() -> float:
    """Beat well within the watchdog's limit, and at least every 5 s."""
    return max(0.2, min(5.0, settings.JOB_STALE_SECONDS / 4))


@contextlib.contextmanager
def beating(submission_id: int) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval()):
                try:
                    Submission.objects.filter(pk=submission_id).exclude(job_phase="").update(
                        job_heartbeat=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("heartbeat for submission %s failed; will retry", submission_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{submission_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
