"""Queue jobs after commit, and run them so that a crash ends in Error.

Three backends, chosen by `settings.JOBS_BACKEND`:
- "thread": the embedded default, a small pool inside the server process,
  so requests are never blocked and no service is needed;
- "celery": workers in separate processes (distributed mode);
- "inline": run at once in the caller (tests and one-off scripts).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings
from django.db import connections, transaction

from jobs.execution import run_job
from jobs.pipeline import fail
from jobs.tasks import run_phase

logger = logging.getLogger(__name__)

# Jobs run at once in the embedded default; more wait in the pool's queue (FIFO).
THREAD_WORKERS = 2

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def enqueue(phase: str, submission_id: int) -> None:
    """Run the phase's job once the caller's transaction commits."""
    transaction.on_commit(partial(dispatch, phase, submission_id))


def dispatch(phase: str, submission_id: int) -> None:
    backend = settings.JOBS_BACKEND
    if backend == "inline":
        run_job(phase, submission_id)
    elif backend == "thread":
        _thread_pool().submit(_run_in_thread, phase, submission_id)
    elif backend == "celery":
        try:
            run_phase.delay(phase, submission_id)
        except Exception as error:
            logger.exception("could not queue %s for submission %s", phase, submission_id)
            fail(submission_id, f"The {phase} could not be queued ({error.__class__.__name__}). Please try again.")
    else:
        raise ValueError(f"unknown JOBS_BACKEND {backend!r}")


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=THREAD_WORKERS, thread_name_prefix="job")
        return _executor


def _run_in_thread(phase: str, submission_id: int) -> None:
    try:
        run_job(phase, submission_id)
    finally:
        # Pool threads outlive the job: do not keep a connection per thread.
        connections.close_all()
