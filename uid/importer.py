"""Import a submission's animals and samples from one data file, in any of the accepted formats.

The format is told from the content, not the name, by the sniffers of
`uid.formats.detection`: an .xlsx workbook by its ZIP signature, a CryoWeb
SQL dump by its opening SQL, a CRB-Anim export or the submission CSV by its
header; a file that fits none is refused with what it looks like. Species
are read in the language of the submission's gene bank country (formats.md
§0.3), which every format is given. The file is parsed and checked completely before
anything is written, and the write replaces the submission's records in one
transaction (`uid.formats.store`): a scientist never ends up with half a
file imported, or with old and new records mixed. Values are stored as the
text supplied; judging them is validation's job, so the importer only
refuses what would make the records unidentifiable: files it cannot read,
and ids that are missing, repeated, or already used elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from uid.formats import csv_template, detection
from uid.formats.csv_template import COLUMNS
from uid.formats.species import language_of
from uid.formats.store import store_records
from uid.models import Submission
from uid.upload_checks import ImportFailed, read_limited

FORMATS: dict[str, detection.Format] = detection.BY_NAME

__all__ = ["COLUMNS", "FORMATS", "ImportFailed", "ImportResult", "detect_format", "import_records"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    animals: int
    samples: int
    format: str = csv_template.NAME
    # Sentences the submitter is told with the result, e.g. which rows were skipped.
    notes: tuple[str, ...] = ()


def detect_format(data: bytes) -> str | None:
    """The name of the format `data` is in, from its content alone, or None when none fits."""
    found = detection.detect(data[: detection.HEAD_BYTES])
    return found.NAME if found is not None else None


def import_records(
    *,
    submission: Submission,
    file: IO[bytes] | str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Replace `submission`'s animals and samples with the records in `file`.

    Raises ImportFailed, having written nothing, when the file cannot be read
    or its ids are taken. Stale validation results go with the old records.
    `before_commit` gets the result inside the storing transaction (parsing
    runs outside it, so a cancel is seen while the file is parsed).
    """
    data = read_limited(file)
    # Parsing is the first half of the bar and storing the second, so a
    # large file keeps reporting while its rows go into the database.
    half = (lambda done, total: progress(done // 2, total)) if progress else None
    name, parsed = detection.parse(data, half, language=language_of(submission.gene_bank_country))
    total = len(parsed.animals) + len(parsed.samples)
    stored = 0

    def report_stored(count: int) -> None:
        nonlocal stored
        stored += count
        if progress is not None:
            progress(total // 2 + stored // 2, total)

    def result_of(carried: int) -> ImportResult:
        notes = list(parsed.notes)
        if carried:
            notes.append(
                f"{carried} of them {'is' if carried == 1 else 'are'} already in the archive and keep"
                f"{'s its accession' if carried == 1 else ' their accessions'}; Submit updates them."
            )
        return ImportResult(animals=len(parsed.animals), samples=len(parsed.samples), format=name, notes=tuple(notes))

    finishing = (lambda carried: before_commit(result_of(carried))) if before_commit else None
    carried = store_records(submission=submission, parsed=parsed, stored=report_stored, before_commit=finishing)
    return result_of(carried)
