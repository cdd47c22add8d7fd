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

from common.constants import PROGRESS_STRIDE
from uid.models import Animal, Record, Sample, Submission
from validation.attributes import READ_FIELDS
from validation.helpers import construct_validation_message, refresh_statistics
from validation.models import ANIMAL, SAMPLE, ValidationResult, ValidationSummary
from validation.rules import ERROR, WARNING, Issue, build_context, check_animal, check_sample
from validation.selectors import known_elsewhere, sampled_animals_elsewhere, submission_attributes
from validation.storage import insert_results

ANIMAL_FIELDS = ("pk", *READ_FIELDS[ANIMAL])
SAMPLE_FIELDS = ("pk", *READ_FIELDS[SAMPLE])


def validate_submission(
    *, submission: Submission, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Run the rules over all records, store results and summaries, and return the counts message."""
    animals = list(Animal.objects.filter(submission=submission).order_by("row", "pk").values(*ANIMAL_FIELDS))
    samples = list(Sample.objects.filter(submission=submission).order_by("row", "pk").values(*SAMPLE_FIELDS))
    known_animals, known_samples = known_elsewhere(submission=submission)
    context = build_context(
        animals,
        samples=samples,
        today=timezone.localdate(),
        known_animals=known_animals,
        known_samples=known_samples,
        sampled_elsewhere=sampled_animals_elsewhere(submission=submission),
        submission_values=submission_attributes(submission=submission),
    )
    total = len(animals) + len(samples)
    results: list[tuple[str, int, str, str, list[dict[str, str]]]] = []
    summaries: list[ValidationSummary] = []
    for record_type, records, check in ((ANIMAL, animals, check_animal), (SAMPLE, samples, check_sample)):
        summary = ValidationSummary(submission=submission, record_type=record_type, total=len(records))
        for record in records:
            issues = check(record, context)
            result = _result(record_type, record, issues)
            results.append(result)
            status = result[2]
            summary.passed += status == Record.PASS
            summary.warnings += status == Record.WARNING
            summary.errors += status == Record.ERROR
            if progress is not None and len(results) % PROGRESS_STRIDE == 0:
                progress(len(results), total)
        summaries.append(summary)
    if progress is not None:
        progress(total, total)  # the checks are done, whatever the stride left over
    _store(submission, results, summaries)
    refresh_statistics(ValidationResult)
    message = construct_validation_message(submission)
    # Only if the submission was deleted meanwhile, taking the summaries with it.
    if message is None or not ValidationSummary.objects.filter(submission=submission).exists():
        raise Submission.DoesNotExist(f"Submission {submission.pk} was deleted during validation.")
    return message


def _result(
    record_type: str, record: Mapping[str, Any], issues: Iterable[Issue]
) -> tuple[str, int, str, str, list[dict[str, str]]]:
    """A result row as a tuple: building 100,000 model instances would cost more than the rules.

    The record's status is the worst severity among its messages.
    """
    issues = list(issues)
    levels = {issue.level for issue in issues}
    status = Record.ERROR if ERROR in levels else Record.WARNING if WARNING in levels else Record.PASS
    messages = [{"message": issue.message, "column": issue.column, "severity": issue.level} for issue in issues]
    return (record_type, record["pk"], status, record["name"][:255], messages)


def _store(
    submission: Submission,
    results: list[tuple[str, int, str, str, list[dict[str, str]]]],
    summaries: list[ValidationSummary],
) -> None:
    with transaction.atomic():
        ValidationResult.objects.filter(submission=submission).delete()
        ValidationSummary.objects.filter(submission=submission).delete()
        insert_results(submission_id=submission.pk, results=results)
        ValidationSummary.objects.bulk_create(summaries)
