"""Reading CSV text row by row, shared by the text formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from uid.upload_checks import ImportFailed

SNIFF_BYTES = 8192
# The csv module's cap on one value (131,072 characters): a longer cell is refused, never read.
CELL_LIMIT = csv.field_size_limit()


def sniff_sample(text: str) -> str:
    """The start of the text, cut at a line end so that a cut line does not skew the sniffer's counts.

    Blank lines are left out: a spreadsheet's trailing empty rows have no
    delimiters, and the sniffer gives up on a sample whose lines disagree.
    """
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    return "".join(line for line in sample.splitlines(keepends=True) if line.strip())


def header_delimiter(sample: str, delimiters: str) -> str:
    """The delimiter the first line uses most, or a comma: what is left when the sniffer cannot decide.

    A header row is column names alone, so the delimiter between them is
    by far its most frequent candidate character.
    """
    first = sample.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in delimiters}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def sniff_delimiter(text: str, delimiters: str = ",;\t") -> str:
    """Comma, semicolon or tab, whichever the start of the file uses.

    Only the delimiter is taken from the sniffer: its quote-character guess
    is fooled by apostrophes in descriptions, and the spreadsheet programs
    that write these files all quote with double quotes.
    """
    sample = sniff_sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=delimiters).delimiter
    except csv.Error:
        return header_delimiter(sample, delimiters)


class _Lines:
    """The text's lines for csv.reader, noting when the reader asks past the last one.

    csv.reader only asks for another line in the middle of a row when a
    quoted value is still open; at the end of the text it then returns the
    open value as if it were closed, silently swallowing every line after
    the stray quote. Running out while building a row therefore means the
    file ends inside a quoted value: truncated, or a quote is missing.
    """

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise


def csv_rows(text: str, delimiter: str, quotechar: str = '"') -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV row, reporting unreadable rows as ImportFailed."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, quotechar=quotechar)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFailed(
                    f"Line {line} has a cell longer than {CELL_LIMIT // 1024} KiB ({CELL_LIMIT:,} characters), "
                    "the most one cell may hold. Shorten that value, or check the line for a quote that is "
                    "never closed, and upload the file again."
                ) from None
            raise ImportFailed(
                f"Line {line} could not be read as CSV ({error}). Check that its quotes are balanced."
            ) from None
        if lines.exhausted:
            raise ImportFailed(
                f"Line {line} opens a quoted value that is never closed: the file ends inside it. "
                "The file may be cut short, or a quote is missing on that line; check it and upload the file again."
            )
        yield line, fields
        line = reader.line_num + 1
