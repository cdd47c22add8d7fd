"""Validate every record of a submission and store the outcome.

Records are read as plain dicts in two queries and judged in memory; only
the write happens in a transaction, and it replaces the previous results
whole, so the report never mixes two validations. Reading outside the
transaction keeps SQLite's write lock free while the rules run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from common.bulk_insert import refresh_statistics
from common.constants import PROGRESS_STRIDE
from uid.models import Animal, Record, Sample, Submission
from validation.attributes import READ_FIELDS
from validation.helpers import construct_validation_message
from validation.models import ANIMAL, SAMPLE, MessageList, ValidationResult, ValidationSummary
from validation.rules import ERROR, WARNING, Issue, build_context, check_animal, check_sample
from validation.selectors import known_elsewhere, sampled_animals_elsewhere, submission_attributes
from validation.storage import insert_results

# Conflicts are read apart, for the few records that have any: decoding a JSON list per record costs
# more than the rules.
ANIMAL_FIELDS = ("pk", *(name for name in READ_FIELDS[ANIMAL] if name != "import_conflicts"))
SAMPLE_FIELDS = ("pk", *(name for name in READ_FIELDS[SAMPLE] if name != "import_conflicts"))


def validate_submission(
    *, submission: Submission, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Run the rules over all records, store results and summaries, and return the counts message."""
    animals = _records(Animal, submission, ANIMAL_FIELDS)
    samples = _records(Sample, submission, SAMPLE_FIELDS)
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
    # Records with the same issues share one message list, so storing it encodes it once. Keyed by
    # the issues' ids (most come from the rules' caches; hashing 12 dataclasses a record costs more);
    # each entry keeps its issues alive, so an id cannot be reused by another issue meanwhile.
    verdicts: dict[tuple[int, ...], tuple[str, list[dict[str, str]], tuple[Issue, ...]]] = {}
    for record_type, records, check in ((ANIMAL, animals, check_animal), (SAMPLE, samples, check_sample)):
        summary = ValidationSummary(submission=submission, record_type=record_type, total=len(records))
        for record in records:
            issues = tuple(check(record, context))
            key = tuple(map(id, issues))
            verdict = verdicts.get(key)
            if verdict is None:
                verdict = verdicts[key] = (*_verdict(issues), issues)
            result = (record_type, record["pk"], verdict[0], record["name"][:255], verdict[1])
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


def _records(model: type[Animal] | type[Sample], submission: Submission, fields: tuple[str, ...]) -> list[dict]:
    """The records as dicts, in file order, each with its import conflicts (mostly none)."""
    rows = model.objects.filter(submission=submission).order_by("row", "pk").values_list(*fields)
    # Tuples zipped into dicts: half the cost of `values()`' per-row dict comprehension.
    records = [dict(zip(fields, row, strict=True)) for row in rows]
    conflicts = dict(
        model.objects.filter(submission=submission).exclude(import_conflicts=[]).values_list("pk", "import_conflicts")
    )
    for record in records:
        record["import_conflicts"] = conflicts.get(record["pk"], ())
    return records


def _verdict(issues: tuple[Issue, ...]) -> tuple[str, list[dict[str, str]]]:
    """A record's status, the worst severity among its messages, and the messages as stored.

    Results are rows as tuples: building 100,000 model instances would cost more than the rules.
    """
    levels = {issue.level for issue in issues}
    status = Record.ERROR if ERROR in levels else Record.WARNING if WARNING in levels else Record.PASS
    return status, [{"message": issue.message, "column": issue.column, "severity": issue.level} for issue in issues]


def _store(
    submission: Submission,
    results: list[tuple[str, int, str, str, list[dict[str, str]]]],
    summaries: list[ValidationSummary],
) -> None:
    with transaction.atomic():
        ValidationResult.objects.filter(submission=submission).delete()
        MessageList.objects.filter(submission=submission).delete()
        ValidationSummary.objects.filter(submission=submission).delete()
        insert_results(submission_id=submission.pk, results=results)
        ValidationSummary.objects.bulk_create(summaries)
