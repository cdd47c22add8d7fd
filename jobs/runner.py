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

from common import metrics

logger = logging.getLogger(__name__)

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
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
        return _executor


def queued_jobs() -> int:
    """Thread-backend jobs waiting for a free pool thread (the jobs-queued metric)."""
    executor = _executor
    return 0 if executor is None else executor._work_queue.qsize()


def _run_in_thread(phase: str, submission_id: int) -> None:
    try:
        run_job(phase, submission_id)
    finally:
        # Pool threads outlive the job: do not keep a connection per thread.
        connections.close_all()


def run_job(phase: str, submission_id: int) -> None:
    """Run a phase; any crash ends the submission in Error with the reason."""
    from jobs.heartbeat import beating
    from jobs.pipeline import JOBS, fail, is_due

    close_old_connections()
    try:
        if not is_due(phase, submission_id):
            # A redelivered task (its worker died and the watchdog already
            # ended the phase) must not run over whatever happened since.
            logger.warning("skipping %s for submission %s: the phase is no longer running", phase, submission_id)
            return
        started = metrics.job_started(phase)
        outcome = "crashed"
        try:
            with beating(submission_id):
                JOBS[phase](submission_id)
            outcome = _outcome(submission_id)
        finally:
            metrics.job_ended(phase, outcome, started)
    except Exception as error:
        logger.exception("%s job crashed for submission %s", phase, submission_id)
        fail(
            submission_id,
            f"The {phase} stopped because of an internal error ({error.__class__.__name__}). "
            "Please try again; if it happens again, contact support.",
        )
    finally:
        close_old_connections()


def _outcome(submission_id: int) -> str:
    """The status a finished job left, as a metric label ("loaded", "need_revision", ...)."""
    from common.constants import STATUS_NAMES
    from uid.models import Submission

    status = Submission.objects.filter(pk=submission_id).values_list("status", flat=True).first()
    return "gone" if status is None else STATUS_NAMES[status].lower().replace(" ", "_")
