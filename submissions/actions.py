"""The one action layer for status changes: `change_status`.

Every phase changes a submission's status here (import, validation, record
editing, the archive's outcome, the watchdog, cancels and resets), as
Zulip's `zerver/actions` do for its events: one function saves the status,
computes the counts the pages show next to it, and records and publishes
the event. A page therefore never sees a status without fresh counts.
"""

from __future__ import annotations

from submissions.events import send_message
from submissions.models import SubmissionEvent
from uid.models import Submission
from validation.helpers import construct_validation_message


def change_status(*, submission: Submission, status: int, message: str) -> SubmissionEvent | None:
    """Save a new status and notification, then publish them with the validation counts.

    Runs in the caller's transaction: the event is published only if it
    commits. Returns the recorded event.
    """
    submission.status = status
    submission.message = message
    submission.save(update_fields=["status", "message", "updated"])
    return send_message(submission, construct_validation_message(submission))
