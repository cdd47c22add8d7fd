"""The validation report as CSV rows, safe to open in a spreadsheet.

Record ids and the values quoted in messages come straight from the
uploaded file, so a cell like `=HYPERLINK("http://evil")` would run as a
formula when the scientist opens the export in Excel or LibreOffice. Every
cell is therefore neutralised as OWASP's CSV injection guidance says: a
leading apostrophe makes the spreadsheet show the text instead of running it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet

from validation.models import ValidationResult
from validation.storage import message_lists

HEADER: tuple[str, ...] = ("record_type", "id", "status", "severity", "column", "message")
# Characters that make a spreadsheet treat a cell as a formula (OWASP list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched per database round trip while streaming: memory stays flat however large the report.
CHUNK_SIZE = 2000


def escape_cell(value: object) -> str:
    """`value` as text that a spreadsheet will not evaluate as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def report_rows(
    results: QuerySet[ValidationResult], *, matches: Callable[[object], bool] | None = None
) -> Iterator[tuple[str, ...]]:
    """One row per message, with its severity; a record without messages still gets one row, with empty cells.

    With `matches` (the report's column and message filters), only the
    messages it accepts are exported, and records with none are left out.
    """
    yield HEADER
    lists = message_lists(results)
    for record_type, name, status, own, shared in results.values_list(
        "record_type", "record_name", "status", "messages", "shared_messages"
    ).iterator(chunk_size=CHUNK_SIZE):
        messages = own if shared is None else lists.get(shared, ())
        issues = messages if isinstance(messages, list) and messages else [{}]
        if matches is not None:
            issues = [issue for issue in issues if issue and matches(issue)]
        for issue in issues:
            column, message = (
                (issue.get("column", ""), issue.get("message", "")) if isinstance(issue, dict) else ("", issue)
            )
            # Rows stored before messages had a severity take their record's status.
            severity = (issue.get("severity") if isinstance(issue, dict) else "") or (status if message else "")
            yield tuple(escape_cell(cell) for cell in (record_type, name, status, severity, column, message))


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """Each row as one CSV-encoded line, produced as it is needed (for StreamingHttpResponse).

    The first line starts with a UTF-8 byte order mark: without it Excel
    reads the file as the local ANSI code page and garbles accented text.
    """
    writer = csv.writer(_Echo())
    for index, row in enumerate(rows):
        line = writer.writerow(row)
        yield f"\ufeff{line}" if index == 0 else line
