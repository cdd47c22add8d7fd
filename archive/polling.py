"""Asking the archive how its validation of our batches went.

Everything a round needs is in the database (the batches still marked
sent), so polling needs no running job: the embedded server polls from its
lifespan (archive.poller), Celery beat does it in distributed mode, and
either picks up after a restart exactly where the last round stopped.
Rounds may overlap (two beats, a slow archive): every write is guarded by
the state it expects, so an outcome is applied once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from archive.client import (
    ArchiveClient,
    ArchiveCredentialsRefused,
    ArchiveProtocolError,
    ArchiveUnavailable,
    BatchState,
    client_from_settings,
)
from archive.models import ArchiveBatch
from archive.report import record_archive_errors
from archive.sending import MODELS
from common.constants import COMPLETED, NEED_REVISION, PHASE_SUBMISSION, SUBMITTED
from jobs.progress import ProgressReporter
from submissions.helpers import set_status
from uid.models import Submission

logger = logging.getLogger(__name__)

CREDENTIALS_WHILE_WAITING = (
    "The archive refused our credentials (token expired or invalid). Your records are with the archive; "
    "checking resumes by itself once an administrator renews ARCHIVE_TOKEN."
)
NO_RESULT = "The archive returned no result for this record; please submit it again."


def waiting_long_message(hours: float) -> str:
    """Said once when the archive sits on a batch for longer than ARCHIVE_WAIT_WARN_HOURS.

    The archive owes us no deadline, so the submission stays Submitted and
    keeps being polled; but a person must not stare at "Waiting" forever
    without learning that this is unusual and whom to ask.
    """
    return (
        f"The archive has been validating these records for more than {hours:g} hours. They are safe with the "
        "archive and this page updates by itself when it answers; if it takes much longer, please contact support."
    )


def _never() -> bool:
    return False


def submissions_waiting() -> list[int]:
    """Submitted to the remote archive and not concluded yet.

    Not only those with batches still sent: a round that stopped between
    storing the last outcome and concluding leaves none, and the next round
    must still conclude it. A job marker means the embedded archive's job.
    """
    return list(
        Submission.objects.filter(status=SUBMITTED, job_phase="", archive_batches__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )


def poll_archive(*, should_stop: Callable[[], bool] = _never) -> int:
    """One round over every submission waiting for the archive; returns how many concluded.

    `should_stop` is asked before every request, so a server shutting down
    waits for at most one request (bounded by ARCHIVE_TIMEOUT_SECONDS), not
    for a whole round over a slow archive.
    """
    if not settings.ARCHIVE_URL:
        return 0
    waiting = submissions_waiting()
    if not waiting:
        return 0
    concluded = 0
    with client_from_settings() as client:
        for submission_id in waiting:
            if should_stop():
                break
            try:
                concluded += poll_submission(submission_id=submission_id, client=client, should_stop=should_stop)
            except ArchiveUnavailable as error:
                # The next round tries again; asking about the other submissions now would fail the same way.
                logger.warning("archive unavailable while polling: %s", error)
                break
            except ArchiveCredentialsRefused as error:
                logger.error("archive refused our credentials while polling: %s", error)
                _tell_credentials_refused(waiting)
                break
            except ArchiveProtocolError as error:
                logger.error("archive protocol error while polling submission %s: %s", submission_id, error)
            except Exception:
                # One submission's bug must not stall everyone else's; the next round retries it.
                logger.exception("archive poll failed for submission %s", submission_id)
    return concluded


def poll_submission(*, submission_id: int, client: ArchiveClient, should_stop: Callable[[], bool] = _never) -> bool:
    """Apply every finished batch's outcome; conclude the submission once none is left."""
    submission = Submission.objects.get(pk=submission_id)
    batches = list(ArchiveBatch.objects.filter(submission=submission, status=ArchiveBatch.SENT))
    for batch in batches:
        if should_stop():
            return False
        state = client.batch_state(remote_id=batch.remote_id)
        if state.finished:
            apply_outcome(batch=batch, state=state)
        else:
            ArchiveBatch.objects.filter(pk=batch.pk).update(remote_status=state.status, checked_at=timezone.now())
    _report_progress(submission)
    if ArchiveBatch.objects.filter(submission=submission, status__in=(ArchiveBatch.QUEUED, ArchiveBatch.SENT)).exists():
        _tell_if_waiting_long(submission_id)
        return False
    return conclude(submission_id=submission_id)


def apply_outcome(*, batch: ArchiveBatch, state: BatchState) -> None:
    """Store accessions on the records and errors on the batch, once."""
    model = MODELS[batch.record_type]
    with transaction.atomic():
        if not ArchiveBatch.objects.select_for_update().filter(pk=batch.pk, status=ArchiveBatch.SENT).exists():
            return  # another round got here first
        by_name = dict(model.objects.filter(pk__in=batch.record_ids).values_list("name", "pk"))
        outcomes = {outcome.name: outcome for outcome in state.records}
        errors: dict[str, list[str]] = {}
        accepted = []
        for name, pk in by_name.items():
            outcome = outcomes.get(name)
            if outcome is None or (not outcome.accession and not outcome.errors):
                errors[str(pk)] = [NO_RESULT]
            elif outcome.errors:
                errors[str(pk)] = list(outcome.errors)
            else:
                accepted.append(model(pk=pk, accession=outcome.accession))
        model.objects.bulk_update(accepted, ["accession"], batch_size=500)
        ArchiveBatch.objects.filter(pk=batch.pk).update(
            status=ArchiveBatch.DONE, remote_status=state.status, errors=errors, checked_at=timezone.now()
        )


def conclude(*, submission_id: int) -> bool:
    """Completed, or Need Revision with the archive's errors in the report."""
    from jobs.pipeline import finish

    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status != SUBMITTED:
            return False
        latest = ArchiveBatch.objects.filter(submission=submission).order_by("-attempt").first()
        batches = ArchiveBatch.objects.filter(submission=submission, attempt=latest.attempt if latest else 0)
        errors: dict[str, dict[int, list[str]]] = {}
        total = 0
        for batch in batches:
            total += len(batch.record_ids)
            for pk, messages in batch.errors.items():
                errors.setdefault(batch.record_type, {})[int(pk)] = messages
        rejected = record_archive_errors(submission=submission, errors=errors) if errors else 0
        if rejected:
            finish(
                submission,
                NEED_REVISION,
                f"The archive rejected {rejected} of {total} records. "
                "Open the validation report to see why, fix them and submit again.",
                notify=True,
            )
        else:
            finish(submission, COMPLETED, f"Completed: the archive assigned accessions to {total} records.")
    return True


def _report_progress(submission: Submission) -> None:
    """A progress frame of records the archive has judged, so a page shows the archive moving."""
    batches = ArchiveBatch.objects.filter(submission=submission, status__in=(ArchiveBatch.SENT, ArchiveBatch.DONE))
    latest = batches.order_by("-attempt").values_list("attempt", flat=True).first()
    sizes = [(len(ids), status) for ids, status in batches.filter(attempt=latest).values_list("record_ids", "status")]
    done = sum(size for size, status in sizes if status == ArchiveBatch.DONE)
    ProgressReporter(submission, PHASE_SUBMISSION)(done, sum(size for size, _ in sizes), force=True)


def _tell_if_waiting_long(submission_id: int) -> None:
    """Once, when the oldest batch still at the archive was sent longer ago than ARCHIVE_WAIT_WARN_HOURS."""
    hours = settings.ARCHIVE_WAIT_WARN_HOURS
    oldest = ArchiveBatch.objects.filter(submission_id=submission_id, status=ArchiveBatch.SENT).aggregate(
        oldest=Min("sent_at")
    )["oldest"]
    if oldest is None or timezone.now() - oldest < timedelta(hours=hours):
        return
    message = waiting_long_message(hours)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == SUBMITTED and submission.message != message:
            set_status(submission, SUBMITTED, message)


def _tell_credentials_refused(submission_ids: list[int]) -> None:
    """Say it once per submission, not once per round."""
    for pk in submission_ids:
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=pk)
            if submission.status == SUBMITTED and submission.message != CREDENTIALS_WHILE_WAITING:
                set_status(submission, SUBMITTED, CREDENTIALS_WHILE_WAITING)
