"""The per-submission event log: the record behind every live update."""

from __future__ import annotations

from django.db import models

from common.constants import STATUSES
from uid.models import Submission


class SubmissionEvent(models.Model):
    """One status event, numbered per submission.

    Pages that reconnect replay from here (`?since=<seq>`), and server
    processes relay from here what the channel layer missed, so the frame is
    stored exactly as it went out.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    status = models.PositiveSmallIntegerField(choices=STATUSES)
    message = models.TextField(blank=True, default="")
    validation_message = models.JSONField(null=True, blank=True)
    frame = models.TextField(help_text="The JSON frame as sent to pages.")
    created = models.DateTimeField()

    class Meta:
        ordering = ["submission", "seq"]
        constraints = [models.UniqueConstraint(fields=["submission", "seq"], name="unique_event_seq")]

    def __str__(self) -> str:
        return f"{self.submission_id}#{self.seq} {self.get_status_display()}"
