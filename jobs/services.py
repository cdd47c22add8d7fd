"""Starting a phase: the status change and the job, committed together."""

from __future__ import annotations

from django.db import transaction

from common.constants import (
    ACTIONS_BY_STATUS,
    EDIT,
    PHASE_IMPORT,
    PHASE_SUBMISSION,
    PHASE_VALIDATION,
    SUBMIT,
    VALIDATE,
    WAITING,
)
from jobs.queue import QUEUED_FIELDS, mark_queued, publish_position
from jobs.runner import enqueue
from submissions.actions import change_status
from uid.models import Submission

STARTING_MESSAGES = {
    PHASE_IMPORT: "Importing your data file…",
    PHASE_VALIDATION: "Validating your records…",
    PHASE_SUBMISSION: "Submitting your records to the archive…",
}
# The user action each phase needs; the import needs EDIT except on creation.
REQUIRED_ACTION = {PHASE_IMPORT: EDIT, PHASE_VALIDATION: VALIDATE, PHASE_SUBMISSION: SUBMIT}


class PhaseNotAllowed(Exception):
    """The submission's status does not allow this phase right now."""


def start_phase(*, submission: Submission, phase: str, initial: bool = False) -> None:
    """Put the submission in Waiting, tell its pages, and queue the job.

    The status check runs under a row lock, so two clicks cannot start two
    jobs. The job is queued on commit: a worker never sees a submission whose
    Waiting status has not been committed yet. The status it leaves is kept,
    for a cancel to return to.
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not initial and REQUIRED_ACTION[phase] not in ACTIONS_BY_STATUS[locked.status]:
            raise PhaseNotAllowed(f"A submission in status {locked.status_name} cannot start {phase}.")
        locked.job_previous_status = None if initial else locked.status
        mark_queued(locked, phase)
        locked.save(update_fields=[*QUEUED_FIELDS, "job_previous_status"])
        change_status(submission=locked, status=WAITING, message=STARTING_MESSAGES[phase])
        # Its place in the line, for the pages already open (a page opened
        # later renders it); before the job is handed over, which may run it at once.
        transaction.on_commit(lambda: publish_position(locked.pk))
        enqueue(phase, locked.pk)
    submission.refresh_from_db()
