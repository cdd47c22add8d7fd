"""Cancelling a phase: asked for by the owner, honoured by the job.

The request is recorded on the submission under its row lock. A job still
in the queue is ended there and then, and never starts (`jobs.queue.claim`
finds nothing due). A running job is only flagged: it stops at its next
progress report (`jobs.progress.JobCancelled`), its transaction rolls back,
and `end_cancelled` puts the submission back in the status it had before
the phase, with a notification that says what was kept.
"""

from __future__ import annotations

from django.db import transaction

from common.constants import ERROR, JOB_QUEUED, PHASE_IMPORT, PHASE_SUBMISSION, PHASE_VALIDATION, WAITING
from jobs.pipeline import finish
from jobs.queue import publish_queue_positions
from submissions.actions import change_status
from uid.models import Animal, Sample, Submission

CANCELLING_MESSAGES = {
    PHASE_IMPORT: "Cancelling the import…",
    PHASE_VALIDATION: "Cancelling the validation…",
    PHASE_SUBMISSION: "Cancelling the submission to the archive…",
}


class CancelNotAllowed(Exception):
    """Nothing runs for this submission that could be cancelled."""


def request_cancel(*, submission: Submission) -> str:
    """Cancel the submission's phase; returns what the owner is told at once.

    Raises CancelNotAllowed when no phase runs (the job ended meanwhile).
    Asking twice is harmless.
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        phase = locked.job_phase
        if locked.status != WAITING or phase not in CANCELLING_MESSAGES:
            raise CancelNotAllowed(
                f"Nothing is running that could be cancelled; the submission is {locked.status_name}."
            )
        if locked.job_state == JOB_QUEUED:
            _end(locked)
            # Everyone behind it moves up one place.
            transaction.on_commit(publish_queue_positions)
            answer = "Cancelled before it started."
        else:
            if not locked.job_cancel_requested:
                locked.job_cancel_requested = True
                locked.save(update_fields=["job_cancel_requested"])
                change_status(submission=locked, status=WAITING, message=CANCELLING_MESSAGES[phase])
            answer = CANCELLING_MESSAGES[phase]
    submission.refresh_from_db()
    return answer


def end_cancelled(submission_id: int) -> None:
    """End a job that stopped on its cancel flag (its own writes are already rolled back)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(pk=submission_id).first()
        if locked is not None and locked.job_phase and locked.status == WAITING:
            _end(locked)


def _end(submission: Submission) -> None:
    phase = submission.job_phase
    # A first import has no status to go back to; like a submission without a file, it needs one.
    previous = submission.job_previous_status
    status = ERROR if previous is None or previous == WAITING else previous
    # No email: the owner is the one who pressed Cancel.
    finish(submission, status, cancelled_message(submission, phase), notify=False)


def cancelled_message(submission: Submission, phase: str) -> str:
    if phase == PHASE_IMPORT:
        kept = (
            Animal.objects.filter(submission=submission).exists()
            or Sample.objects.filter(submission=submission).exists()
        )
        if kept:
            return "Import cancelled; nothing was imported. The records loaded before are unchanged."
        return "Import cancelled; nothing was imported. Edit the submission to upload a data file again."
    if phase == PHASE_VALIDATION:
        return "Validation cancelled; the validation results are as they were before it started."
    # Accessions are stored as the archive returns them, so nothing accepted is ever sent twice.
    return (
        "Submission to the archive cancelled. Records the archive already accepted keep their accessions; "
        "Submit sends the rest."
    )
