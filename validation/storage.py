"""Writing validation results in bulk (see common.bulk_insert for why not `bulk_create`).

Each distinct message list is written once, as a MessageList, and results
point at it: 100,000 records share a handful of lists, and writing each
record's ~9 messages into its own row (about 70 MB) cost more than the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from common.bulk_insert import insert_rows
from uid.models import Submission
from validation.models import MessageList, ValidationResult, ValidationSummary

GIVEN = ["submission", "record_type", "record_id", "status", "record_name", "shared_messages"]


def clear_results(*, submission: Submission) -> None:
    """Delete the submission's validation: its results, the message lists they shared, and its summary.

    Called when the records change under the results: a new file imported
    (`uid.formats.store.records_replaced`) or records deleted or reset by hand.
    """
    ValidationResult.objects.filter(submission=submission).delete()
    MessageList.objects.filter(submission=submission).delete()
    ValidationSummary.objects.filter(submission=submission).delete()


def clear_replaced(sender: type[Submission], *, submission: Submission, **kwargs: Any) -> None:
    """`uid.formats.store.records_replaced`'s receiver: a new file's records make the old results stale."""
    clear_results(submission=submission)


def insert_results(*, submission_id: int, results: Iterable[tuple[str, int, str, str, list[Any]]]) -> None:
    """INSERT (record_type, record_id, status, record_name, messages) rows for one submission.

    Call inside the transaction that deleted the previous results (and message lists).
    """
    results = list(results)
    insert_rows(ValidationResult, GIVEN, _rows(submission_id, results, _shared_lists(submission_id, results)))


def _shared_lists(submission_id: int, results: list[tuple[str, int, str, str, list[Any]]]) -> dict[int, int]:
    """The MessageList id of each distinct non-empty list, keyed by the list's id().

    Records with the same issues share one list object (validation.services), so id() finds the
    duplicates without comparing 900,000 messages; `results` keeps every list alive meanwhile.
    """
    distinct: dict[int, list[Any]] = {}
    for *_, messages in results:
        if messages:
            distinct.setdefault(id(messages), messages)
    created = MessageList.objects.bulk_create(
        [MessageList(submission_id=submission_id, messages=messages) for messages in distinct.values()]
    )
    return {key: stored.pk for key, stored in zip(distinct, created, strict=True)}


def _rows(
    submission_id: int, results: list[tuple[str, int, str, str, list[Any]]], shared: dict[int, int]
) -> Iterator[tuple[Any, ...]]:
    for record_type, record_id, status, name, messages in results:
        yield (submission_id, record_type, record_id, status, name, shared[id(messages)] if messages else None)


def message_lists(results: QuerySet[ValidationResult]) -> dict[int, list[Any]]:
    """The shared message lists `results` point at, by id: read once, not decoded again for every row."""
    used = results.exclude(shared_messages=None).values("shared_messages")
    return dict(MessageList.objects.filter(pk__in=used).values_list("pk", "messages"))
