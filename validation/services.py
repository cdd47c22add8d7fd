"""Validate every record of a submission and store the outcome.

Records are read as plain dicts in two queries and judged in memory; only
the write happens in a transaction, and it replaces the previous results
whole, so the report never mixes two validations. Reading outside the
transaction keeps SQLite's write lock free while the rules run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from uid.models import Animal, Record, Sample, Submission
from validation.helpers import construct_validation_message, refresh_statistics
from validation.models import ANIMAL, SAMPLE, ValidationResult, ValidationSummary
from validation.rules import ERROR, WARNING, Issue, build_context, check_animal, check_sample

BATCH_SIZE = 1000
SHARED_FIELDS = ("pk", "name", "alternative_id", "latitude", "longitude")
ANIMAL_FIELDS = (*SHARED_FIELDS, "species", "breed", "sex", "birth_date", "birth_country", "father_name", "mother_name")
SAMPLE_FIELDS = (*SHARED_FIELDS, "animal_name", "collection_date", "organism_part", "storage", "protocol_url")


def validate_submission(
    *, submission: Submission, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Run the rules over all records, store results and summaries, and return the counts message."""
    animals = list(Animal.objects.filter(submission=submission).order_by("row", "pk").values(*ANIMAL_FIELDS))
    samples = list(Sample.objects.filter(submission=submission).order_by("row", "pk").values(*SAMPLE_FIELDS))
    context = build_context(animals, today=timezone.localdate())
    total = len(animals) + len(samples)
    results: list[ValidationResult] = []
    summaries: list[ValidationSummary] = []
    for record_type, records, check in ((ANIMAL, animals, check_animal), (SAMPLE, samples, check_sample)):
        summary = ValidationSummary(submission=submission, record_type=record_type, total=len(records))
        for record in records:
            issues = check(record, context)
            result = _result(submission, record_type, record, issues)
            results.append(result)
            summary.passed += result.status == Record.PASS
            summary.warnings += result.status == Record.WARNING
            summary.errors += result.status == Record.ERROR
            if progress is not None:
                progress(len(results), total)
        summaries.append(summary)
    _store(submission, results, summaries)
    refresh_statistics(ValidationResult)
    message = construct_validation_message(submission)
    if message is None:  # only if the submission was deleted meanwhile, taking the summaries with it
        raise Submission.DoesNotExist(f"Submission {submission.pk} was deleted during validation.")
    return message


def _result(
    submission: Submission, record_type: str, record: Mapping[str, Any], issues: Iterable[Issue]
) -> ValidationResult:
    issues = list(issues)
    levels = {issue.level for issue in issues}
    status = Record.ERROR if ERROR in levels else Record.WARNING if WARNING in levels else Record.PASS
    return ValidationResult(
        submission_id=submission.pk,  # the id, not the instance: the FK descriptor costs 100,000 times
        record_type=record_type,
        record_id=record["pk"],
        record_name=record["name"][:255],
        status=status,
        messages=[{"message": issue.message, "column": issue.column} for issue in issues],
    )


def _store(submission: Submission, results: list[ValidationResult], summaries: list[ValidationSummary]) -> None:
    with transaction.atomic():
        ValidationResult.objects.filter(submission=submission).delete()
        ValidationSummary.objects.filter(submission=submission).delete()
        ValidationResult.objects.bulk_create(results, batch_size=BATCH_SIZE)
        ValidationSummary.objects.bulk_create(summaries)
