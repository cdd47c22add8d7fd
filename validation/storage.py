"""Writing validation results in bulk.

`bulk_create` spends most of a 100,000-record validation building model
instances and preparing each field; plain `executemany` of ready tuples
writes the same rows in a fraction of the time (the importer does the same
for records). Fields added to the model later get their defaults, so the
archive's client or a new column never breaks this path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection

from validation.models import ValidationResult

BATCH_SIZE = 1000
GIVEN = ("submission", "record_type", "record_id", "status", "record_name", "messages")


def insert_results(*, submission_id: int, results: Iterable[tuple[str, int, str, str, list[Any]]]) -> None:
    """INSERT (record_type, record_id, status, record_name, messages) rows for one submission.

    Call inside the transaction that deleted the previous results.
    """
    meta = ValidationResult._meta
    given = [meta.get_field(name) for name in GIVEN]
    rest = [field for field in meta.concrete_fields if not field.primary_key and field.name not in GIVEN]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (*given, *rest))
    placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    rows = _rows(submission_id, results, defaults)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, BATCH_SIZE)):
            cursor.executemany(sql, batch)


def _rows(
    submission_id: int, results: Iterable[tuple[str, int, str, str, list[Any]]], defaults: tuple[Any, ...]
) -> Iterator[tuple[Any, ...]]:
    adapt = connection.ops.adapt_json_value
    empty = adapt([], None)  # most records pass: one adapted value serves them all
    for record_type, record_id, status, name, messages in results:
        stored = adapt(messages, None) if messages else empty
        yield (submission_id, record_type, record_id, status, name, stored, *defaults)
