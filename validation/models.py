"""Validation outcomes, kept per record and summarised per record type.

Results point at records by id instead of a foreign key because one table
serves both animals and samples; the importer deletes a submission's results
together with its records, so they never outlive what they describe for long.
"""

from __future__ import annotations

from django.db import models

from uid.models import Record, Submission

ANIMAL = "animal"
SAMPLE = "sample"
RECORD_TYPES = ((ANIMAL, "Animal"), (SAMPLE, "Sample"))
# A record edited after validation: its old verdict no longer holds, and it counts as not yet validated.
EDITED = "Need Revision"
STATUSES = ((Record.PASS, "Pass"), (Record.WARNING, "Warning"), (Record.ERROR, "Error"), (EDITED, "Need Revision"))


class ValidationResult(models.Model):
    """How one record fared: its worst issue level and every issue message."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="validation_results")
    record_type = models.CharField(max_length=16, choices=RECORD_TYPES)
    record_id = models.PositiveBigIntegerField()
    record_name = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, choices=STATUSES)
    # [{"message": str, "column": str}, ...] in the order the rules found them.
    messages = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["record_type", "record_id"]
        indexes = [models.Index(fields=["submission", "record_type", "status"], name="validation_result_status")]
        constraints = [
            # Also the index that joins results to their records.
            models.UniqueConstraint(fields=["submission", "record_type", "record_id"], name="unique_result_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_name}: {self.status}"


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
