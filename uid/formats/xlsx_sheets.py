"""Reading a workbook's sheets cell by cell, bounded by what the file really holds.

openpyxl's row iterators pad every row to the sheet's declared width and
yield every row number up to its declared height, so a 10 KB workbook that
declares `A1:XFD1048576` and holds one cell at row 1,048,576 costs about 17
billion calls. Here the sheet XML is streamed with openpyxl's own parser and
only the cells present are visited. A value past `XLSX_MAX_COLUMNS` or
`XLSX_MAX_ROWS` refuses the sheet as soon as the parser reaches it, with a
message that gives the limits, and so does a row of more cells (even empty
ones) than the column limit, before any of them is read; a few empty
formatted cells past the limits are ignored, as spreadsheet programs write
them.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser

from common.constants import PROGRESS_STRIDE
from uid.formats import Progress
from uid.upload_checks import ImportFailed

# Defaults for the settings of the same names. The IMAGE template's widest sheet has 19 columns; the rest
# is room for a lab's own columns, which are ignored.
MAX_ROWS = 200_000
MAX_COLUMNS = 64
DAMAGED = (
    "This workbook could not be read ({kind}); it may be damaged. "
    "Open it in Excel or LibreOffice, save it again as .xlsx and upload that file."
)

# (row number, {column number: value}) of a row with at least one value.
SheetRow = tuple[int, dict[int, Any]]


def limits() -> tuple[int, int]:
    """(rows, columns) a sheet may use, from the settings at call time."""
    return (
        int(getattr(settings, "XLSX_MAX_ROWS", MAX_ROWS)),
        int(getattr(settings, "XLSX_MAX_COLUMNS", MAX_COLUMNS)),
    )


def open_workbook(data: bytes) -> Any:
    """The workbook in read-only mode (values, not formulas), or ImportFailed if openpyxl cannot open it."""
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style" and the like: noise about formatting, not data.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl raises many kinds (KeyError, XML errors, ...) for a damaged workbook.
    except Exception as error:  # noqa: BLE001
        raise ImportFailed(DAMAGED.format(kind=type(error).__name__)) from None


def declared_rows(sheet: Any) -> int:
    """How many rows the sheet says it has, capped: only a guess for the progress bar."""
    rows, _ = limits()
    return min(sheet.max_row or 0, rows + 1)


class _TooWide(Exception):
    def __init__(self, row: str | None, cells: int) -> None:
        super().__init__(row)
        self.row, self.cells = row, cells


class _BoundedParser(WorkSheetParser):
    """openpyxl's sheet parser, refusing a row of more cells than the column limit before reading any of them.

    A row of more cells than there are columns to read necessarily has one
    past the limit, so this bounds the work per row by the limit, even when
    the cells past it are empty.
    """

    max_columns = MAX_COLUMNS

    def parse_row(self, row: Any) -> Any:
        if len(row) > self.max_columns:
            raise _TooWide(row.get("r"), len(row))
        return super().parse_row(row)


def sheet_rows(workbook: Any, name: str) -> Iterator[SheetRow]:
    """The rows of sheet `name` that hold a value, with only their cells that hold one.

    Raises ImportFailed at the first value past the row or column limit.
    """
    max_rows, max_columns = limits()
    sheet = workbook[name]
    with warnings.catch_warnings(), sheet._get_source() as source:
        warnings.simplefilter("ignore")  # dates out of range become "#VALUE!" with a warning
        parser = _BoundedParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parser.max_columns = max_columns
        for number, cells in _parsed_rows(parser, name):
            values = {cell["column"]: cell["value"] for cell in cells if not _empty(cell["value"])}
            if not values:
                continue
            if number > max_rows + 1:
                raise ImportFailed(
                    f'Sheet "{name}" has a value on row {number}, past the {max_rows:,} records a sheet may hold '
                    f"(XLSX_MAX_ROWS) below its header row. Split the records over several workbooks, or delete "
                    "what is below your records."
                )
            wide = max(values)
            if wide > max_columns:
                raise ImportFailed(
                    f'Sheet "{name}" has a value in column {get_column_letter(wide)} (row {number}), past the '
                    f"{max_columns} columns read (XLSX_MAX_COLUMNS). Keep the template's columns, and delete what "
                    "is far to their right."
                )
            yield number, values


def _parsed_rows(parser: _BoundedParser, name: str) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    try:
        yield from parser.parse()
    except _TooWide as wide:
        where = f" {wide.row}" if wide.row else ""
        raise ImportFailed(
            f'Sheet "{name}" has {wide.cells:,} cells on row{where}, more than the {parser.max_columns} columns read '
            "(XLSX_MAX_COLUMNS). Keep the template's columns, and delete what is far to their right."
        ) from None


def read_rows(workbook: Any, name: str, *, progress: Progress, done: list[int], total: int) -> list[SheetRow]:
    """All of `sheet_rows`, reporting progress every PROGRESS_STRIDE rows; `done` counts across sheets."""
    rows = []
    try:
        for row in sheet_rows(workbook, name):
            rows.append(row)
            done[0] += 1
            if progress is not None and done[0] % PROGRESS_STRIDE == 0:
                progress(min(done[0], total), max(total, done[0]))
    except ImportFailed:
        raise
    # A damaged sheet fails only when its rows are read.
    except Exception as error:  # noqa: BLE001
        raise ImportFailed(DAMAGED.format(kind=type(error).__name__)) from None
    return rows


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as stored text: stripped, whole numbers without ".0", dates as YYYY-MM-DD, `\\N` as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    stripped = str(value).strip()
    return "" if stripped == "\\N" else stripped


def date_text(value: Any, epoch: datetime) -> str:
    """A date cell as YYYY-MM-DD: Excel dates and serial numbers (in the workbook's date mode) lose their time.

    Text is kept as written (an ISO date, or something validation will
    report), since a date typed as text is as much a date to the scientist.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            converted = from_excel(value, epoch)
        except (OverflowError, ValueError):
            return text(value)
        if isinstance(converted, timedelta):  # a serial number below 1: a time of day only
            return text(value)
        return (converted.date() if isinstance(converted, datetime) else converted).isoformat()
    return text(value)
