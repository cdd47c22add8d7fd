"""The job queue as the submitter sees it: queued, then running.

A job is queued when its phase starts and running once a worker claims it.
Only a running job has a heartbeat, so the watchdog never fails a job for
waiting its turn. Whenever the line moves (a job is claimed, a queued job
is cancelled) each queued submission's pages get a progress frame with the
number of jobs ahead of it.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from common.constants import JOB_QUEUED, JOB_RUNNING, WAITING
from submissions.events import Progress, send_message
from submissions.selectors import jobs_ahead, queued_jobs
from uid.models import Submission

logger = logging.getLogger(__name__)

# Rows written when a job joins the queue (with the phase and its status).
QUEUED_FIELDS = ["job_phase", "job_state", "job_queued_at", "job_heartbeat", "job_cancel_requested"]


def mark_queued(submission: Submission, phase: str) -> None:
    """Put `submission`'s job at the end of the queue (the caller saves under its row lock)."""
    submission.job_phase = phase
    submission.job_state = JOB_QUEUED
    submission.job_queued_at = timezone.now()
    submission.job_heartbeat = None
    submission.job_cancel_requested = False


def claim(phase: str, submission_id: int) -> bool:
    """Turn the submission's queued job into a running one; False if it is not due.

    Under the row lock, so a job cancelled while queued never starts, and a
    task delivered twice (Celery redelivers unacknowledged tasks) runs once.
    A job marked by older code (no `job_state`) is taken as queued.
    """
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(pk=submission_id).first()
        if (
            submission is None
            or submission.status != WAITING
            or submission.job_phase != phase
            or submission.job_state not in (JOB_QUEUED, "")
        ):
            return False
        submission.job_state = JOB_RUNNING
        submission.job_heartbeat = timezone.now()
        submission.save(update_fields=["job_state", "job_heartbeat"])
    # The page swaps "Queued" for a running bar at once, before the phase's first count.
    send_message(submission, progress=Progress(submission.job_phase, 0, 0))
    return True


def publish_position(submission_id: int) -> None:
    """Tell one queued submission's pages how many jobs are ahead of it, if it still waits."""
    submission = queued_jobs().filter(pk=submission_id).first()
    if submission is not None:
        send_message(submission, progress=Progress(submission.job_phase, 0, 0, ahead=jobs_ahead(submission)))


def publish_queue_positions() -> int:
    """Tell every queued submission's pages its place in the line; returns how many.

    Best effort, like all progress: a page that misses one still shows the
    place it had, and the next move corrects it.
    """
    try:
        queued = list(queued_jobs())
        for ahead, submission in enumerate(queued):
            send_message(submission, progress=Progress(submission.job_phase, 0, 0, ahead=ahead))
    except DatabaseError:
        logger.warning("could not publish the queue positions", exc_info=logger.isEnabledFor(logging.DEBUG))
        return 0
    return len(queued)
