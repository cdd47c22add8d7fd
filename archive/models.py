"""What the site has handed to a remote archive, batch by batch.

A submission to a real archive spans minutes to days and several processes:
the job that sends, pollers that ask for the outcome, restarts in between.
Each batch row is the durable answer to "was this sent, and what became of
it?", so a resumed submission sends only what never left and polls only
what the archive still holds.
"""

from __future__ import annotations

import uuid

from django.db import models

from uid.models import Submission


class ArchiveBatch(models.Model):
    """Up to ARCHIVE_BATCH_SIZE records of one type, sent in one request."""

    QUEUED = "queued"  # planned, not sent yet
    SENT = "sent"  # the archive accepted it and works on it
    DONE = "done"  # the archive's outcome is stored on the records
    STATUSES = ((QUEUED, "Queued"), (SENT, "Sent"), (DONE, "Done"))

    ANIMAL = "animal"
    SAMPLE = "sample"
    RECORD_TYPES = ((ANIMAL, "Animal"), (SAMPLE, "Sample"))

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="archive_batches")
    # Each press of Submit that found nothing left to resume starts a new attempt;
    # the outcome (Completed or Need Revision) is judged on the latest one.
    attempt = models.PositiveIntegerField(default=1)
    # Sending order within the submission: every animal batch comes before any sample batch.
    position = models.PositiveIntegerField()
    record_type = models.CharField(max_length=16, choices=RECORD_TYPES)
    record_ids = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    # Sent as the Idempotency-Key header: a request whose answer was lost
    # (a timeout after the archive stored it) is recognised when resent.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.CharField(max_length=128, blank=True, default="")
    remote_status = models.CharField(max_length=32, blank=True, default="")
    # {"<record pk>": ["message", ...]} for the records the archive rejected.
    errors = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "position"]
        indexes = [models.Index(fields=["status", "submission"], name="archive_batch_status")]

    def __str__(self) -> str:
        return f"{self.record_type} batch {self.position} of submission {self.submission_id}: {self.status}"
