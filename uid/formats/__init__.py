"""The file formats a submission's records can be imported from.

Each format module turns the file's bytes into `Parsed` records (model field
names and the text supplied), refusing with `ImportFailed` what it cannot
read; `uid.formats.store` then writes them in one transaction. Keeping the
formats apart from the storing means every format gets the same atomic
replace, id checks and progress reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (done, total) of the parsing half of an import.
Progress = Callable[[int, int], None] | None
# (line or sheet row, values in the order of the fields) of one record.
Row = tuple[int, tuple[str, ...]]


@dataclass(slots=True)
class Parsed:
    """A file's records, ready to store; `notes` are told to the submitter with the result."""

    animal_fields: tuple[str, ...]
    animals: list[Row]
    sample_fields: tuple[str, ...]
    samples: list[Row]
    notes: list[str] = field(default_factory=list)
    # Submission fields the file itself gives (the IMAGE template's `submission` and `contact` sheets):
    # model field → value, written with the records.
    submission: dict[str, Any] = field(default_factory=dict)
