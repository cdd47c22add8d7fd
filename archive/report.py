"""The archive's per-record errors, written into the validation report.

A submitter fixes what the archive rejected in the same place as what our
own validation found, so the archive's errors become Error results with the
column "archive", and the summaries are recounted so that the counts every
status message carries (construct_validation_message) include them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from uid.models import Animal, Record, Sample, Submission
from validation.models import ANIMAL, SAMPLE, ValidationResult, ValidationSummary

ARCHIVE_COLUMN = "archive"
MODELS = {ANIMAL: Animal, SAMPLE: Sample}


def record_archive_errors(*, submission: Submission, errors: dict[str, dict[int, list[str]]]) -> int:
    """`errors` is {record type: {record pk: [message, ...]}}; returns how many records were marked."""
    marked = 0
    with transaction.atomic():
        for record_type, by_record in errors.items():
            names = dict(MODELS[record_type].objects.filter(pk__in=by_record).values_list("pk", "name"))
            for pk, messages in by_record.items():
                if pk not in names:
                    continue  # deleted since it was sent
                result, _ = ValidationResult.objects.get_or_create(
                    submission=submission,
                    record_type=record_type,
                    record_id=pk,
                    defaults={"record_name": names[pk], "status": Record.ERROR},
                )
                # Replace the archive's earlier verdict, keep our own validation's messages.
                kept = [m for m in result.issues if m.get("column") != ARCHIVE_COLUMN]
                # Every refusal is an Error; the severity travels with each message (issue 12).
                result.messages = kept + [
                    {"message": message, "column": ARCHIVE_COLUMN, "severity": Record.ERROR} for message in messages
                ]
                result.shared_messages = None  # the record's own list now: others share the validation's
                result.status = Record.ERROR
                result.save(update_fields=["messages", "shared_messages", "status"])
                marked += 1
            _recount(submission, record_type)
    return marked


def _recount(submission: Submission, record_type: str) -> None:
    by_status = dict(
        ValidationResult.objects.filter(submission=submission, record_type=record_type)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    ValidationSummary.objects.update_or_create(
        submission=submission,
        record_type=record_type,
        defaults={
            "total": MODELS[record_type].objects.filter(submission=submission).count(),
            "passed": by_status.get(Record.PASS, 0),
            "warnings": by_status.get(Record.WARNING, 0),
            "errors": by_status.get(Record.ERROR, 0),
        },
    )
