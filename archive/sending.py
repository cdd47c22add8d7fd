"""Sending a submission's records to the remote archive, resumably.

The batches are planned once and written down before anything is sent, and
each batch is marked sent as soon as the archive accepted it. A send that
stops half-way (archive down, token expired, worker killed) therefore
resumes where it stopped: the next Submit sends only the batches that never
left, and the Idempotency-Key covers the one request whose answer was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from archive.client import (
    ArchiveClient,
    ArchiveCredentialsRefused,
    ArchiveProtocolError,
    ArchiveUnavailable,
    client_from_settings,
)
from archive.models import ArchiveBatch
from archive.payloads import animal_document, sample_document
from common.constants import COMPLETED, ERROR, READY, SUBMITTED
from uid.models import Animal, Sample, Submission

logger = logging.getLogger(__name__)

# The wording the issue asks for, verbatim; the prefix says nothing went wrong with their records.
UNAVAILABLE_MESSAGE = "Submission paused: archive unavailable, please try again later."
CREDENTIALS_MESSAGE = (
    "The archive refused our credentials (token expired or invalid). "
    "Ask an administrator to renew ARCHIVE_TOKEN, then submit again."
)
OPEN = (ArchiveBatch.QUEUED, ArchiveBatch.SENT)
MODELS = {ArchiveBatch.ANIMAL: Animal, ArchiveBatch.SAMPLE: Sample}


@dataclass(frozen=True)
class Outcome:
    """The status and message the submission job ends with."""

    status: int
    message: str


def remote_archive_configured() -> bool:
    """Without ARCHIVE_URL the embedded archive stays the default."""
    return bool(settings.ARCHIVE_URL)


def submit_to_archive(*, submission: Submission, progress: Callable[[int, int], None]) -> Outcome:
    """Send what is left to send; say what happened in words a submitter can act on."""
    try:
        with client_from_settings() as client:
            sent = send_batches(submission=submission, client=client, progress=progress)
    except ArchiveUnavailable as error:
        # Transient by nature: a status message, not an Error, and no traceback.
        logger.warning("archive unavailable while sending submission %s: %s", submission.pk, error)
        return Outcome(READY, f"{UNAVAILABLE_MESSAGE} {_sent_so_far(submission)}")
    except ArchiveCredentialsRefused as error:
        logger.error("archive refused our credentials while sending submission %s: %s", submission.pk, error)
        return Outcome(READY, f"{CREDENTIALS_MESSAGE} {_sent_so_far(submission)}")
    except ArchiveProtocolError as error:
        logger.error("archive protocol error while sending submission %s: %s", submission.pk, error)
        return Outcome(ERROR, f"The archive did not accept the records ({error}). Please contact support.")
    if sent == 0:
        return Outcome(COMPLETED, "Every record already has an accession; there was nothing left to send.")
    return Outcome(SUBMITTED, f"Sent {sent} records. Waiting for archive validation.")


def send_batches(*, submission: Submission, client: ArchiveClient, progress: Callable[[int, int], None]) -> int:
    """Send the open attempt's queued batches in order; returns the attempt's record count."""
    batches = plan_batches(submission=submission)
    total = sum(len(batch.record_ids) for batch in batches)
    done = sum(len(batch.record_ids) for batch in batches if batch.status != ArchiveBatch.QUEUED)
    for batch in batches:
        if batch.status != ArchiveBatch.QUEUED:
            continue
        documents = batch_documents(batch)
        if documents:
            state = client.submit_batch(key=str(batch.key), samples=documents)
            ArchiveBatch.objects.filter(pk=batch.pk, status=ArchiveBatch.QUEUED).update(
                status=ArchiveBatch.SENT, remote_id=state.remote_id, remote_status=state.status, sent_at=timezone.now()
            )
        else:
            # Its records were deleted since the plan was made: nothing to send, nothing to wait for.
            ArchiveBatch.objects.filter(pk=batch.pk).update(status=ArchiveBatch.DONE)
        done += len(batch.record_ids)
        progress(done, total)
    return total


def plan_batches(*, submission: Submission) -> list[ArchiveBatch]:
    """The open attempt's batches, or a new attempt for every record without an accession.

    A resumed attempt also gains batches for records none of its batches
    covers (the file was reloaded or records were added since): they must
    not be left behind by a submission that then reports Completed.
    """
    existing = list(ArchiveBatch.objects.filter(submission=submission, status__in=OPEN).order_by("position"))
    latest = ArchiveBatch.objects.filter(submission=submission).aggregate(
        attempt=Max("attempt"), position=Max("position")
    )
    attempt = latest["attempt"] if existing else (latest["attempt"] or 0) + 1
    covered = {(batch.record_type, pk) for batch in existing for pk in batch.record_ids}
    position = (latest["position"] or 0) + 1
    size = settings.ARCHIVE_BATCH_SIZE
    batches = []
    # Animals first: the archive resolves a sample's "derived from" against records it already has.
    for record_type, model in MODELS.items():
        ids = [
            pk
            for pk in model.objects.filter(submission=submission, accession="")
            .order_by("row", "pk")
            .values_list("pk", flat=True)
            if (record_type, pk) not in covered
        ]
        for start in range(0, len(ids), size):
            batches.append(
                ArchiveBatch(
                    submission=submission,
                    attempt=attempt,
                    position=position,
                    record_type=record_type,
                    record_ids=ids[start : start + size],
                )
            )
            position += 1
    return existing + ArchiveBatch.objects.bulk_create(batches)


def batch_documents(batch: ArchiveBatch) -> list[dict]:
    release = timezone.now()
    if batch.record_type == ArchiveBatch.ANIMAL:
        animals = Animal.objects.filter(pk__in=batch.record_ids).order_by("row", "pk")
        return [animal_document(animal, release=release) for animal in animals]
    samples = Sample.objects.filter(pk__in=batch.record_ids).select_related("animal").order_by("row", "pk")
    return [sample_document(sample, release=release) for sample in samples]


def _sent_so_far(submission: Submission) -> str:
    batches = ArchiveBatch.objects.filter(submission=submission, status__in=OPEN)
    sent = batches.filter(status=ArchiveBatch.SENT).count()
    if sent == 0:
        return "Nothing was sent."
    return f"{sent} of {batches.count()} batches were sent already; they will not be sent again."
