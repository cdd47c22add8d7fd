"""What makes a workbook unreadable as the IMAGE template, said in the template's own words.

Checked before any record is read: the ZIP container (`zip_guard`), the
three record sheets, their column names (exact, case included, as the
template spells them), merged cells and formulas nobody calculated.
"""

from __future__ import annotations

import io
import re
from typing import Any

from uid.formats.zip_guard import workbook_problem
from uid.upload_checks import ImportFailed, listing

MANDATORY_SHEETS: tuple[str, str, str] = ("breed", "animal", "sample")
# A merged range in the sheet XML; merged cells come after the rows, so a regex over the bytes finds them cheaply.
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# A formula cell with no stored result: a program wrote the workbook and nothing has calculated it yet. (A
# formula whose result is an empty string is marked t="str".)
_UNCALCULATED = re.compile(
    rb'<c\s+r="([A-Z]+)(\d+)"([^>]*)>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
CHUNK_BYTES, OVERLAP_BYTES = 1024 * 1024, 512


def check_workbook(data: bytes) -> None:
    """Refuse a ZIP that is no workbook, or would unpack to too much, before openpyxl opens it."""
    problem = workbook_problem(io.BytesIO(data))
    if problem is not None:
        raise ImportFailed(problem)


def missing_parts(workbook: Any, sheets: dict[str, tuple[str, ...]]) -> str:
    """Which of the template's record sheets the workbook lacks, as a sentence, or ""."""
    missing = [name for name in sheets if name not in workbook.sheetnames]
    if not missing:
        return ""
    names = ", ".join(f'"{name}"' for name in missing)
    close = {name.strip().casefold(): name for name in workbook.sheetnames}
    renames = [f'"{close[name]}" to "{name}"' for name in missing if name in close]
    hint = f" Rename {listing(renames)}: sheet names are exact." if renames else ""
    return f"The workbook lacks the IMAGE template's sheets {names}; add them.{hint}"


def missing_columns(sheet: str, header: dict[str, int], columns: tuple[str, ...]) -> str:
    """Which columns sheet `sheet` lacks, with the spelling to use, as a sentence, or ""."""
    missing = [column for column in columns if column not in header]
    if not missing:
        return ""
    names = ", ".join(f'"{column}"' for column in missing)
    close = {name.casefold(): name for name in header}
    misspelt = [f'"{close[column.casefold()]}"' for column in missing if column.casefold() in close]
    hint = f" It has {listing(misspelt)}: column names must match exactly, case included." if misspelt else ""
    return f'Sheet "{sheet}" lacks the columns {names}; add them to its first row.{hint}'


def hidden_values(sheet: Any, name: str) -> list[str]:
    """Problems of merged ranges and uncalculated formulas below sheet `name`'s header row.

    Read-only mode reports a merged range's value in its first cell only and
    an uncalculated formula as empty, and says neither; both are found in the
    sheet's XML here, a chunk at a time so a big sheet is never held whole.
    """
    merged: dict[str, None] = {}
    uncalculated: dict[str, None] = {}
    tail = b""
    with sheet._get_source() as source:
        while chunk := source.read(CHUNK_BYTES):
            text = tail + chunk
            for first_column, first_row, last_column, last_row in _MERGED.findall(text):
                last_column, last_row = last_column or first_column, last_row or first_row
                if int(last_row) >= 2:
                    merged[(first_column + first_row + b":" + last_column + last_row).decode()] = None
            for column, row, attributes in _UNCALCULATED.findall(text):
                if int(row) >= 2 and b't="str"' not in attributes:
                    uncalculated[(column + row).decode()] = None
            # A tag cut between two chunks is found whole in the next; the dicts drop repeats.
            tail = text[-OVERLAP_BYTES:]
    problems = []
    if merged:
        problems.append(
            f'Sheet "{name}" has merged cells ({listing(list(merged))}): only the first cell of a merged range '
            "holds its value, so the other rows would silently lose it. Unmerge them and fill in every row."
        )
    if uncalculated:
        problems.append(
            f'Sheet "{name}" has formulas that were never calculated (cells {listing(list(uncalculated))}), so '
            "their values are not in the file. Open the workbook in Excel or LibreOffice and save it again."
        )
    return problems
