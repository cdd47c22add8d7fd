"""The submission CSV format: one row per animal or sample, told apart by `record_type`.

The site's own format, and the one the seed data and benchmarks use. Rows
are checked completely before anything is stored, and every problem found
is reported at once, so one upload tells the scientist all there is to fix.
"""

from __future__ import annotations

import re

from common.constants import PROGRESS_STRIDE
from uid.formats import Parsed, Progress
from uid.formats.species import DEFAULT_LANGUAGE
from uid.formats.text import csv_rows, sniff_delimiter
from uid.models import ANIMAL, SAMPLE, Animal, Sample
from uid.upload_checks import ImportFailed, decode, listing

NAME = "csv"
LABEL = "the site's submission CSV (with a record_type column)"
ABSENT = "this CSV has no record_type column, which the submission template starts with."

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

TEMPLATE_HINT = "Download the template from the create page and keep its header row."


def looks_like(head: bytes) -> bool:
    """Whether a file starts as this format: a header with record_type or two of its other columns, or nothing.

    An empty file is taken as this format so that it hears it is empty.
    """
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff").lower()
    if not head.strip():
        return True
    names = {name.strip().strip('"') for name in re.split(r"[,;\t]", first)}
    return "record_type" in names or len(names & set(COLUMNS)) >= 2


def parse(data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> Parsed:
    """The file's records, or ImportFailed naming everything that is wrong with it.

    `language` goes unused: this format's species are stored as written, for validation to judge.
    """
    records = _parse(decode(data), progress)
    return Parsed(
        animal_fields=tuple(ANIMAL_FIELDS.values()),
        animals=records[ANIMAL],
        sample_fields=tuple(SAMPLE_FIELDS.values()),
        samples=records[SAMPLE],
    )


def _parse(text: str, progress: Progress) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Every record as (line, values of its type's FIELDS), or ImportFailed listing all that is wrong."""
    if not text.strip():
        raise ImportFailed(
            "The file is empty. Download the template from the create page and add one row per record below its header."
        )
    rows = csv_rows(text, sniff_delimiter(text))
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
        if progress is not None and line % PROGRESS_STRIDE == 0:
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
