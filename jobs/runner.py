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
from django.db import close_old_connections, connections, transaction

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
        from jobs.tasks import run_phase

        try:
            run_phase.delay(phase, submission_id)
        except Exception as error:
            logger.exception("could not queue %s for submission %s", phase, submission_id)
            from jobs.pipeline import fail

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


def run_job(phase: str, submission_id: int) -> None:
    """Run a phase; any crash ends the submission in Error with the reason.

    The job is claimed first (queued → running): a job cancelled while it
    waited, or a task delivered twice, does nothing.
    """
    from jobs.cancel import end_cancelled
    from jobs.heartbeat import beating
    from jobs.pipeline import JOBS, fail
    from jobs.progress import JobCancelled
    from jobs.queue import claim, publish_queue_positions

    close_old_connections()
    try:
        if not claim(phase, submission_id):
            # Cancelled while queued, already running elsewhere, or ended by
            # the watchdog: never run over whatever happened since.
            logger.warning("skipping %s for submission %s: the phase is no longer queued", phase, submission_id)
            return
        publish_queue_positions()  # everyone behind moves up one place
        with beating(submission_id):
            JOBS[phase](submission_id)
    except JobCancelled:
        logger.info("%s for submission %s cancelled by its owner", phase, submission_id)
        end_cancelled(submission_id)
    except Exception as error:
        logger.exception("%s job crashed for submission %s", phase, submission_id)
        fail(
            submission_id,
            f"The {phase} stopped because of an internal error ({error.__class__.__name__}). "
            "Please try again; if it happens again, contact support.",
        )
    finally:
        close_old_connections()
