"""One row of one model by plain SQL, for the reads every socket connect makes.

A connect reads its session, its user and its submission. Through the ORM,
compiling each of those small queries cost more CPU than running it (about
0.3 ms for the session, as much again for the user: bench/analysis.md,
"Connect cost"), and a connect storm pays it thousands of times. The SQL
here is built from the models' own metadata, so table and column names,
quoting and the fields' database converters stay Django's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

# What a condition may compare with; the operator is written into the SQL, so nothing else gets in.
OPERATORS = frozenset({"=", "<", ">", "<=", ">="})


def fetch_row(
    model: type[Model], fields: Sequence[Field], where: Sequence[tuple[Field, str, Any]], *, using: str | None = None
) -> list[Any] | None:
    """`fields` of the first row of `model` where every `(field, operator, value)` holds, or None.

    Values come back as the ORM would give them (SQLite's booleans and
    datetimes through the fields' converters), so `model.from_db` can build
    an instance from them; pass the `using` you give `from_db`. Only the
    model's own table is read: fields an inherited table holds are refused.
    """
    own = set(model._meta.local_concrete_fields)
    if not own.issuperset(fields) or not own.issuperset(field for field, _, _ in where):
        raise ValueError(f"fetch_row reads {model._meta.db_table} alone; a field given is not in it")
    if not OPERATORS.issuperset(operator for _, operator, _ in where):
        raise ValueError(f"fetch_row compares with {sorted(OPERATORS)} only")
    connection = connections[using or router.db_for_read(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    conditions = " AND ".join(f"{quote(field.column)} {operator} %s" for field, operator, _ in where)
    params = [field.get_db_prep_value(value, connection) for field, _, value in where]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {conditions}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)  # the ORM's converters: the backend's, then the column's
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            values[index] = convert(values[index], column, connection)
    return values
