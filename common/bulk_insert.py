"""Write many rows of one model fast: COPY on PostgreSQL, executemany elsewhere.

Imports and validations write 100,000 rows at a time. `bulk_create` spends
~60 µs per row building model instances and SQL; `executemany` of ready
tuples is far cheaper, but on PostgreSQL it is still one statement per row
(about 180 µs each with the records' thirty columns, 18 s for 100,000),
while COPY streams the same rows in about a second. Fields the caller does
not supply get their model default, so a field added to a model later is
filled in rather than breaking the write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH_SIZE = 1000
# Rows per COPY on PostgreSQL: about a tenth of a second of streaming, so
# progress still moves often, for a statement's overhead per 10,000 rows.
COPY_CHUNK = 10_000


def insert_rows(
    model: type[models.Model],
    fields: list[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    written: Callable[[int], None] | None = None,
) -> None:
    """INSERT `rows` (values of `fields`, in order, ready for the database) in batches.

    `written` is told each batch's size, for progress. Call inside the
    transaction that owns the write; nothing here commits.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    rest = [field for field in meta.concrete_fields if not field.primary_key and field.name not in fields]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (*given, *rest))
    table = quote(meta.db_table)
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One COPY per chunk, and `written` told only between them: while a
            # COPY streams, the connection can run no other statement, and the
            # progress callback reads the database (a job's cancel check), which
            # would then wait on the COPY for ever.
            while chunk := list(islice(rows, COPY_CHUNK)):
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row((*row, *defaults))
                if written is not None:
                    written(len(chunk))
            return
        placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        while batch := [(*row, *defaults) for row in islice(rows, BATCH_SIZE)]:
            cursor.executemany(sql, batch)
            if written is not None:
                written(len(batch))


def refresh_statistics(*tables: type[models.Model]) -> None:
    """Have PostgreSQL re-sample the tables' statistics after a bulk write.

    Until autovacuum gets round to it, the planner believes a submission
    that just gained 100,000 records has a handful, and joins records to
    results by nested loop: the validation counts (`validation.helpers`) then take minutes instead of
    milliseconds. ANALYZE samples a fixed number of rows, so it costs a
    fraction of a second however large the tables grow. SQLite needs none.
    """
    if connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
