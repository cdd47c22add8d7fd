"""The three phases as jobs: import, validation, submission to the archive.

Each job takes a submission id, runs a service with a progress reporter, and
ends the phase with exactly one final status message. Services raise their
own user-facing errors; anything else is a crash that `run_job` reports.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from archive.submitting import submit_submission
from common.constants import (
    COMPLETED,
    ERROR,
    JOB_QUEUED,
    LOADED,
    NEED_REVISION,
    PHASE_IMPORT,
    PHASE_SUBMISSION,
    PHASE_VALIDATION,
    READY,
)
from common.text import count_of
from jobs.progress import ProgressReporter
from notifications.services import email_owner_on_commit
from submissions.actions import change_status
from uid.importer import ImportFailed, ImportResult, import_records
from uid.models import Animal, Sample, Submission
from validation.models import ValidationSummary
from validation.ruleset import RulesetError
from validation.services import validate_submission

# Every job column, all cleared when a phase ends.
JOB_FIELDS = [
    "job_phase",
    "job_heartbeat",
    "job_state",
    "job_queued_at",
    "job_cancel_requested",
    "job_previous_status",
]

# Statuses whose owner gets an email without being asked: the job failed, or the archive accepted everything.
EMAILED_STATUSES = frozenset({ERROR, COMPLETED})


def finish(
    submission: Submission, status: int, message: str, *, keep_job: bool = False, notify: bool | None = None
) -> None:
    """End a phase: clear the job marker and publish the final status together.

    `notify` emails the owner after commit; by default only for the statuses
    in EMAILED_STATUSES. The archive's review passes `notify=True` with
    Need Revision, the one Need Revision a scientist waits days for.
    """
    with transaction.atomic():
        submission.job_heartbeat = None
        submission.job_cancel_requested = False
        submission.job_previous_status = None
        if keep_job:
            # The embedded archive's own job follows: it joins the queue.
            submission.job_state = JOB_QUEUED
            submission.job_queued_at = timezone.now()
        else:
            submission.job_phase = submission.job_state = ""
            submission.job_queued_at = None
        submission.save(update_fields=JOB_FIELDS)
        change_status(submission=submission, status=status, message=message)
        if status in EMAILED_STATUSES if notify is None else notify:
            email_owner_on_commit(submission_id=submission.pk, status=status, message=message)


def fail(submission_id: int, message: str) -> None:
    """End whatever runs for this submission in Error with `message`."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is not None:
        finish(submission, ERROR, message)


def run_import(submission_id: int) -> None:
    submission = Submission.objects.get(pk=submission_id)
    report = ProgressReporter(submission, PHASE_IMPORT)

    def loaded(result: ImportResult) -> None:
        total = result.animals + result.samples
        report.last(total, total)  # from here a cancel comes too late: the records are in
        counted = f"Loaded {count_of(result.animals, 'animal')} and {count_of(result.samples, 'sample')}."
        # Notes say what the file held but was not imported, e.g. samples already in the archive.
        finish(submission, LOADED, " ".join((counted, *result.notes, "Validate them next.")))

    if not submission.uploaded_file:
        finish(submission, ERROR, "There is no data file to import. Edit the submission and upload one.")
        return
    try:
        # The records and the status that says they are loaded commit together (`before_commit`,
        # inside the storing transaction): a worker killed after the one and before the other left
        # every record under an Error saying "please retry" (e2e/test_faults.py). Parsing stays
        # outside the transaction, so a cancel is seen while the file is read.
        with submission.uploaded_file.open("rb") as data, report.keepalive():
            import_records(submission=submission, file=data, progress=report, before_commit=loaded)
    except ImportFailed as error:
        # A failed reload keeps what was loaded before; say so, or people re-enter data they still have.
        kept = (
            Animal.objects.filter(submission=submission).exists()
            or Sample.objects.filter(submission=submission).exists()
        )
        unchanged = " The records loaded before are unchanged." if kept else ""
        finish(submission, ERROR, f"Import failed: {error} Nothing was imported.{unchanged}")
        return
    except FileNotFoundError:
        finish(submission, ERROR, "The uploaded file is missing on the server. Please upload it again.")


def run_validation(submission_id: int) -> None:
    submission = Submission.objects.get(pk=submission_id)
    report = ProgressReporter(submission, PHASE_VALIDATION)
    try:
        with report.keepalive():
            summary = validate_submission(submission=submission, progress=report)
    except RulesetError as error:
        # A deployment problem, not the records': say so instead of an "internal error".
        finish(submission, ERROR, f"Validation could not run: {error} Please tell an administrator.")
        return
    errors = summary["animal_issues"] + summary["sample_issues"]
    if summary["animals"] + summary["samples"] == 0:
        finish(submission, ERROR, "There are no records to validate. Upload a data file first.")
    elif errors:
        finish(
            submission,
            NEED_REVISION,
            f"Validation found problems in {errors} record{'' if errors == 1 else 's'}. Open the report and edit "
            "them there, or fix the file and upload it again; then validate again.",
        )
    else:
        warned = ValidationSummary.objects.filter(submission=submission).aggregate(n=Sum("warnings"))["n"] or 0
        passed = (
            f"All records passed validation, {warned} with warnings (see the report)."
            if warned
            else "All records passed validation."
        )
        finish(submission, READY, f"{passed} You can submit them to the archive.")


def run_submission(submission_id: int) -> None:
    """Send the records to BioSamples (or the embedded archive) and end with what it answered.

    Synchronous: BioSamples answers each sample with its accession or its
    refusal, so the phase ends Completed, Need Revision or Ready, and there is
    nothing left to wait for afterwards.
    """
    submission = Submission.objects.get(pk=submission_id)
    report = ProgressReporter(submission, PHASE_SUBMISSION)
    # A request may wait seconds for BioSamples (backoff, Retry-After): the bar must not look dead meanwhile.
    with report.keepalive():
        outcome = submit_submission(submission=submission, progress=report)
    finish(submission, outcome.status, outcome.message, notify=outcome.notify)


# Each job takes a submission id (never an object: it may run in another process).
JOBS: dict[str, Callable[[int], None]] = {
    PHASE_IMPORT: run_import,
    PHASE_VALIDATION: run_validation,
    PHASE_SUBMISSION: run_submission,
}
