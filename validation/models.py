"""Validation outcomes, kept per record and summarised per record type.

Results point at records by id instead of a foreign key because one table
serves both animals and samples; the importer deletes a submission's results
together with its records, so they never outlive what they describe for long.
"""

from __future__ import annotations

from django.db import models

from uid.models import ANIMAL, SAMPLE, Record, Submission

RECORD_TYPES = ((ANIMAL, "Animal"), (SAMPLE, "Sample"))
# A record edited after validation: its old verdict no longer holds, and it counts as not yet validated.
EDITED = "Need Revision"
STATUSES = ((Record.PASS, "Pass"), (Record.WARNING, "Warning"), (Record.ERROR, "Error"), (EDITED, "Need Revision"))


class MessageList(models.Model):
    """One distinct list of messages, shared by every result of a validation that has exactly these issues.

    A validation of 100,000 records finds about 900,000 messages but only a
    handful of distinct lists (most records lack the same recommended
    fields); storing each list once instead of in every row is what keeps a
    validation as fast as it was before the ruleset reported those fields.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="message_lists")
    messages = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{len(self.messages)} messages"


class ValidationResult(models.Model):
    """How one record fared: its worst issue level and every issue message."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="validation_results")
    record_type = models.CharField(max_length=16, choices=RECORD_TYPES)
    record_id = models.PositiveBigIntegerField()
    record_name = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, choices=STATUSES)
    # [{"message": str, "column": str, "severity": str}, ...] in the order the rules found them: in
    # `shared_messages` when a validation wrote them, here when an edit or the archive did.
    messages = models.JSONField(default=list, blank=True)
    shared_messages = models.ForeignKey(MessageList, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        ordering = ["record_type", "record_id"]
        indexes = [models.Index(fields=["submission", "record_type", "status"], name="validation_result_status")]
        constraints = [
            # Also the index that joins results to their records.
            models.UniqueConstraint(fields=["submission", "record_type", "record_id"], name="unique_result_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_name}: {self.status}"

    @property
    def issues(self) -> list:
        """The record's messages, wherever they are stored (select_related("shared_messages") to read many)."""
        return self.shared_messages.messages if self.shared_messages_id else self.messages


class ValidationSummary(models.Model):
    """Counts of the last validation of one record type."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="validation_summaries")
    record_type = models.CharField(max_length=16, choices=RECORD_TYPES)
    total = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "record_type"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "record_type"], name="unique_summary_per_record_type")
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.errors} errors of {self.total}"
