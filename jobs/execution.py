"""Run one claimed job so that a crash, or its owner's cancel, ends the phase cleanly.

Apart from `jobs.runner`, which decides where a job runs, so that the Celery
task (`jobs.tasks`) and the thread pool both call this without the two
modules importing each other.
"""

from __future__ import annotations

import logging

from django.db import close_old_connections

from common import metrics
from common.constants import STATUS_NAMES
from jobs.cancel import end_cancelled
from jobs.heartbeat import beating
from jobs.pipeline import JOBS, fail
from jobs.progress import JobCancelled
from jobs.queue import claim, publish_queue_positions
from uid.models import Submission

logger = logging.getLogger(__name__)


def run_job(phase: str, submission_id: int) -> None:
    """Run a phase; any crash ends the submission in Error with the reason.

    The job is claimed first (queued → running): a job cancelled while it
    waited, or a task delivered twice, does nothing.
    """
    close_old_connections()
    try:
        if not claim(phase, submission_id):
            # Cancelled while queued, already running elsewhere, or ended by
            # the watchdog: never run over whatever happened since.
            logger.warning("skipping %s for submission %s: the phase is no longer queued", phase, submission_id)
            return
        publish_queue_positions()  # everyone behind moves up one place
        started = metrics.job_started(phase)
        outcome = "crashed"
        try:
            with beating(submission_id):
                JOBS[phase](submission_id)
            outcome = _outcome(submission_id)
        except JobCancelled:
            outcome = "cancelled"
            raise
        finally:
            metrics.job_ended(phase, outcome, started)
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


def _outcome(submission_id: int) -> str:
    """The status a finished job left, as a metric label ("loaded", "need_revision", ...)."""
    status = Submission.objects.filter(pk=submission_id).values_list("status", flat=True).first()
    return "gone" if status is None else STATUS_NAMES[status].lower().replace(" ", "_")
