"""Import a submission's animals and samples from one CSV file.

The file is parsed and checked completely before anything is written, and the
write replaces the submission's records in one transaction: a scientist never
ends up with half a file imported, or with old and new records mixed.
Values are stored as the text supplied; judging them is validation's job,
so the importer only refuses what would make the records unidentifiable:
files that are not UTF-8 CSV text, rows it cannot read, and ids that are
missing, repeated, or already used elsewhere (see `uid.upload_checks`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from uid.models import Animal, Sample, Submission
from uid.upload_checks import ImportFailed, check_ids_are_free, decode, listing, read_limited
from validation.helpers import refresh_statistics
from validation.models import ANIMAL, SAMPLE, ValidationResult, ValidationSummary

COLUMNS: tuple[str, ...] = (
    "record_type",
    "id",
    "alternative_id",
    "description",
    "species",
    "breed",
    "sex",
    "birth_date",
    "birth_country",
    "father_id",
    "mother_id",
    "animal_id",
    "collection_date",
    "organism_part",
    "storage",
    "protocol_url",
    "latitude",
    "longitude",
)
# File column → model field, per record type; columns of the other type are ignored.
_SHARED = {
    "id": "name",
    "alternative_id": "alternative_id",
    "description": "description",
    "latitude": "latitude",
    "longitude": "longitude",
}
ANIMAL_FIELDS: dict[str, str] = {
    **_SHARED,
    **{name: name for name in ("species", "breed", "sex", "birth_date", "birth_country")},
    "father_id": "father_name",
    "mother_id": "mother_name",
}
SAMPLE_FIELDS: dict[str, str] = {
    **_SHARED,
    "animal_id": "animal_name",
    **{name: name for name in ("collection_date", "organism_part", "storage", "protocol_url")},
}
MODELS = {ANIMAL: Animal, SAMPLE: Sample}
FIELDS = {ANIMAL: ANIMAL_FIELDS, SAMPLE: SAMPLE_FIELDS}

BATCH_SIZE = 1000
SNIFF_BYTES = 8192
TEMPLATE_HINT = "Download the template from the create page and keep its header row."

__all__ = ["COLUMNS", "ImportFailed", "ImportResult", "import_records"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    animals: int
    samples: int


def import_records(
    *,
    submission: Submission,
    file: IO[bytes] | str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Replace `submission`'s animals and samples with the records in `file`.

    Raises ImportFailed, having written nothing, when the file cannot be read
    as the submission CSV format or its ids are taken. Stale validation
    results go with the old records, in the same transaction.
    """
    text = decode(read_limited(file))
    # Parsing is the first half of the bar and storing the second, so a
    # large file keeps reporting while its rows go into the database.
    records = _parse(text, (lambda done, total: progress(done // 2, total)) if progress else None)
    total = len(records[ANIMAL]) + len(records[SAMPLE])
    stored = 0

    def report_stored(count: int) -> None:
        nonlocal stored
        stored += count
        if progress is not None:
            progress(total // 2 + stored // 2, total)

    animal_fields = ["submission", "row", *ANIMAL_FIELDS.values()]
    sample_fields = ["submission", "row", *SAMPLE_FIELDS.values(), "animal"]
    link = list(SAMPLE_FIELDS).index("animal_id")
    with transaction.atomic():
        # Imports of one owner take turns, so two of them cannot both claim an
        # id that neither sees in the other's uncommitted records.
        get_user_model().objects.select_for_update().filter(pk=submission.owner_id).first()
        # Samples before animals, so that deleting animals has no sample links left to clear.
        for model in (ValidationResult, ValidationSummary, Sample, Animal):
            model.objects.filter(submission=submission).delete()
        _insert(
            Animal, animal_fields, ((submission.pk, line, *values) for line, values in records[ANIMAL]), report_stored
        )
        animal_ids = dict(Animal.objects.filter(submission=submission).values_list("name", "pk"))
        samples = ((submission.pk, line, *values, animal_ids.get(values[link])) for line, values in records[SAMPLE])
        _insert(Sample, sample_fields, samples, report_stored)
        check_ids_are_free(submission)  # raising here rolls back the delete and the inserts
    refresh_statistics(Animal, Sample)
    return ImportResult(animals=len(records[ANIMAL]), samples=len(records[SAMPLE]))


def _insert(
    model: type[Animal] | type[Sample],
    fields: list[str],
    rows: Iterable[tuple[Any, ...]],
    stored: Callable[[int], None],
) -> None:
    """INSERT `rows` (values of `fields`, in order) with executemany, in batches.

    bulk_create spends ~60 µs per record building model instances and SQL,
    which makes 100,000 records take ten seconds; plain executemany takes
    under one. Fields not supplied get their model default, so a field added
    to the model later is filled in rather than breaking the import.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    rest = [field for field in meta.concrete_fields if not field.primary_key and field.name not in fields]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (*given, *rest))
    placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := [(*row, *defaults) for row in islice(rows, BATCH_SIZE)]:
            cursor.executemany(sql, batch)
            stored(len(batch))


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab, whichever the start of the file uses.

    Only the delimiter is taken from the sniffer: its quote-character guess
    is fooled by apostrophes in descriptions, and the spreadsheet programs
    that write these files all quote with double quotes.
    """
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut line would skew the counts
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


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


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV row, reporting unreadable rows as ImportFailed."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
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


def _parse(text: str, progress: Callable[[int, int], None] | None) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Every record as (line, values of its type's FIELDS), or ImportFailed listing all that is wrong."""
    if not text.strip():
        raise ImportFailed(
            "The file is empty. Download the template from the create page and add one row per record below its header."
        )
    rows = _rows(text, _delimiter(text))
    header = [name.strip().lower() for name in next(rows, (1, []))[1]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportFailed(f"Missing columns: {', '.join(missing)}. {TEMPLATE_HINT}")
    width = len(header)
    kind_at, id_at = header.index("record_type"), header.index("id")
    # Per record type: where each of its values sits in a row, and which values have a width limit.
    positions = {kind: [header.index(column) for column in FIELDS[kind]] for kind in MODELS}
    limits = {kind: _limits(kind) for kind in MODELS}
    total = max(text.count("\n" if "\n" in text else "\r"), 1)

    records: dict[str, list[tuple[int, tuple[str, ...]]]] = {kind: [] for kind in MODELS}
    first_line: dict[tuple[str, str], int] = {}
    repeats: dict[tuple[str, str], list[int]] = {}
    bad_types: list[str] = []
    no_id: list[str] = []
    too_long: list[str] = []
    too_wide: list[str] = []
    for line, fields in rows:
        if progress is not None:
            progress(min(line, total), total)
        if not "".join(fields).strip():
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        if len(fields) < width:
            fields += [""] * (width - len(fields))
        elif "".join(fields[width:]).strip():
            # Values beyond the header belong to no column: usually an unquoted
            # delimiter inside a value, which shifts every value after it.
            # Empty trailing cells are spreadsheet noise and pass.
            too_wide.append(f"line {line} ({len(fields)} values)")
        kind = fields[kind_at].strip().lower()
        if kind not in MODELS:
            bad_types.append(f'line {line} ("{fields[kind_at].strip()}")')
            continue
        name = fields[id_at].strip()
        if not name:
            no_id.append(f"line {line}")
            continue
        if first_line.setdefault((kind, name), line) != line:
            repeats.setdefault((kind, name), []).append(line)
        values = tuple(fields[index].strip() for index in positions[kind])
        too_long += [
            f"line {line} ({column}, more than {limit} characters)"
            for at, column, limit in limits[kind]
            if len(values[at]) > limit
        ]
        records[kind].append((line, values))

    problems = []
    if too_wide:
        problems.append(
            f"More values than the header's {width} columns on {listing(too_wide)}. "
            "Quote values that contain the delimiter, or add the missing column names to the header."
        )
    if bad_types:
        problems.append(f"Unknown record_type on {listing(bad_types)}. Write animal or sample in that column.")
    if no_id:
        problems.append(f"No id on {listing(no_id)}. Give every record an id that is unique in the file.")
    if repeats:
        duplicates = [
            f'{kind} "{name}" on lines {", ".join(map(str, [first_line[kind, name], *lines]))}'
            for (kind, name), lines in repeats.items()
        ]
        problems.append(
            f"Duplicate ids: {listing(duplicates, sep='; ')}. Each animal and each sample needs its own id."
        )
    if too_long:
        problems.append(f"Values too long on {listing(too_long)}. Shorten them.")
    if problems:
        raise ImportFailed(" ".join(problems))
    if not records[ANIMAL] and not records[SAMPLE]:
        raise ImportFailed("The file has a header row but no records. Add one row per animal or sample below it.")
    return records


def _limits(kind: str) -> list[tuple[int, str, int]]:
    """(value index, column, max length) of the kind's limited fields.

    Checked here because PostgreSQL refuses longer values while SQLite
    stores them silently; the file is the place to fix them.
    """
    meta = MODELS[kind]._meta
    return [
        (at, column, meta.get_field(field).max_length)
        for at, (column, field) in enumerate(FIELDS[kind].items())
        if getattr(meta.get_field(field), "max_length", None)
    ]
