"""Writing validation results in bulk (see common.bulk_insert for why not `bulk_create`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

from common.bulk_insert import insert_rows
from validation.models import ValidationResult

GIVEN = ["submission", "record_type", "record_id", "status", "record_name", "messages"]


def insert_results(*, submission_id: int, results: Iterable[tuple[str, int, str, str, list[Any]]]) -> None:
    """INSERT (record_type, record_id, status, record_name, messages) rows for one submission.

    Call inside the transaction that deleted the previous results.
    """
    insert_rows(ValidationResult, GIVEN, _rows(submission_id, results))


def _rows(submission_id: int, results: Iterable[tuple[str, int, str, str, list[Any]]]) -> Iterator[tuple[Any, ...]]:
    adapt = connection.ops.adapt_json_value
    empty = adapt([], None)  # most records pass: one adapted value serves them all
    # Records with the same issues share one list (validation.services): encode each list once.
    # Keyed by id(); each entry keeps its list alive, so an id is never reused for another list.
    adapted: dict[int, tuple[list[Any], Any]] = {}
    for record_type, record_id, status, name, messages in results:
        if not messages:
            stored = empty
        else:
            known = adapted.get(id(messages))
            if known is None:
                known = adapted[id(messages)] = (messages, adapt(messages, None))
            stored = known[1]
        yield (submission_id, record_type, record_id, status, name, stored)
