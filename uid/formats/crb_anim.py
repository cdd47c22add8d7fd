"""CRB-Anim-style CSV: one row per sample, the animal's data repeated on each of its rows.

This is what the French biobank network's exports look like. Columns are
matched by name (case-insensitive), the dialect is sniffed, `\\N` (a
database dump's NULL) and empty cells mean no value, and storage
temperatures become storage terms. Rows whose sample already has a
BioSamples id were submitted before: they are skipped, and the result says
which, so nothing is sent to the archive twice.
"""

from __future__ import annotations

import csv

from common.constants import PROGRESS_STRIDE
from uid.formats import Parsed, Progress
from uid.formats.records import RecordRows, clean
from uid.formats.storage_terms import storage_term
from uid.formats.text import csv_rows, header_delimiter, sniff_sample
from uid.models import Animal, Sample
from uid.upload_checks import ImportFailed, decode, listing

NAME = "crb-anim"
ACCESSION = "EBI_Biosample_identifier"
# The 15 mandatory columns, as CRB-Anim spells them.
COLUMNS: tuple[str, ...] = (
    "sex",
    "species_latin_name",
    "country_of_origin",
    "breed_name",
    "animal_ID",
    "sample_bibliographic_references",
    "sample_identifier",
    "animal_birth_date",
    "sample_storage_temperature",
    "sample_type_name",
    "body_part_name",
    "sampling_date",
    "sampling_protocol_url",
    "sample_availability",
    ACCESSION,
)
# Column → model field; the id comes first, as RecordRows wants.
ANIMAL_COLUMNS: dict[str, str] = {
    "animal_ID": "name",
    "sex": "sex",
    "species_latin_name": "species",
    "breed_name": "breed",
    "country_of_origin": "breed_country",
    "animal_birth_date": "birth_date",
}
SAMPLE_COLUMNS: dict[str, str] = {
    "sample_identifier": "name",
    "animal_ID": "animal_name",
    "sampling_date": "collection_date",
    "body_part_name": "organism_part",
    "sample_storage_temperature": "storage",
    "sampling_protocol_url": "protocol_url",
    "sample_availability": "availability",
    "sample_type_name": "sample_type",
    "sample_bibliographic_references": "bibliographic_references",
}
# The country of origin is where the animal comes from: stored as its birth country too, which
# validation requires and CRB-Anim has no other column for.
ANIMAL_FIELDS = (*ANIMAL_COLUMNS.values(), "birth_country")
ANIMAL_FILE_COLUMNS = (*ANIMAL_COLUMNS, "country_of_origin")
DELIMITERS = ",;\t|"
HINT = "Download the CRB-Anim template from the create page and keep its header row."


def looks_like(header: str) -> bool:
    """Whether a first line is a CRB-Anim header: several of its column names, and no `record_type`."""
    names = header.lower()
    return "record_type" not in names and sum(column.lower() in names for column in COLUMNS) >= 3


def parse(data: bytes, progress: Progress = None) -> Parsed:
    """The file's samples and their animals, or ImportFailed naming everything that is wrong."""
    text = decode(data)
    rows = csv_rows(text, *_dialect(text))
    header = [clean(name).lower() for name in next(rows, (1, []))[1]]
    missing = [column for column in COLUMNS if column.lower() not in header]
    if missing:
        names = ", ".join(f'"{column}"' for column in missing)
        raise ImportFailed(f"The CRB-Anim file is missing the mandatory columns {names}. {HINT}")
    at = {column: header.index(column.lower()) for column in COLUMNS}
    total = max(text.count("\n"), 1)
    animals = RecordRows(Animal, ANIMAL_FIELDS, kind="animal", place="line")
    samples = RecordRows(Sample, tuple(SAMPLE_COLUMNS.values()), kind="sample", place="line")
    animal_values: dict[str, dict[str, str]] = {}
    conflicts: list[str] = []
    skipped: list[str] = []
    # A biobank writes a handful of temperatures over and over; mapping each once keeps 100,000 rows fast.
    terms: dict[str, str] = {}
    for line, fields in rows:
        if progress is not None and line % PROGRESS_STRIDE == 0:
            progress(min(line, total), total)
        cells = {column: clean(fields[index]) if index < len(fields) else "" for column, index in at.items()}
        if not any(cells.values()):
            continue
        if cells[ACCESSION]:
            skipped.append(f"{cells['sample_identifier'] or f'line {line}'} ({cells[ACCESSION]})")
            continue
        temperature = cells["sample_storage_temperature"]
        if temperature not in terms:
            terms[temperature] = storage_term(temperature)
        cells["sample_storage_temperature"] = terms[temperature]
        samples.add(line, tuple(cells[column] for column in SAMPLE_COLUMNS), tuple(SAMPLE_COLUMNS))
        animal = {column: cells[column] for column in ANIMAL_COLUMNS}
        known = animal_values.get(animal["animal_ID"])
        if known is None or not animal["animal_ID"]:
            animal_values[animal["animal_ID"]] = animal
            animals.add(line, _animal_values(animal), ANIMAL_FILE_COLUMNS)
        else:
            conflicts += _conflicts(known, animal, animals.lines.get(animal["animal_ID"], line), line)
    problems = animals.problems() + samples.problems()
    if conflicts:
        problems.append(
            f"Animals described differently on different rows: {listing(conflicts, sep='; ')}. "
            "Every row of one animal must give the same animal data."
        )
    if problems:
        raise ImportFailed(" ".join(problems))
    notes = []
    if skipped:
        count = f"{len(skipped)} samples that already have" if len(skipped) > 1 else "1 sample that already has"
        notes.append(f"Skipped {count} a BioSamples id: {listing(skipped)}.")
    if not samples.rows:
        raise ImportFailed(
            " ".join(notes) + " There is nothing else to import."
            if skipped
            else "The file has a header row but no samples. Add one row per sample below it."
        )
    # Values a later row filled in where the first left them empty.
    animal_rows = [(line, _animal_values(animal_values[values[0]])) for line, values in animals.rows]
    return Parsed(
        animal_fields=ANIMAL_FIELDS,
        animals=animal_rows,
        sample_fields=tuple(SAMPLE_COLUMNS.values()),
        samples=samples.rows,
        notes=notes,
    )


def _animal_values(animal: dict[str, str]) -> tuple[str, ...]:
    return (*animal.values(), animal["country_of_origin"])


def _dialect(text: str) -> tuple[str, str]:
    """(delimiter, quote character) sniffed from the start of the file; comma and double quote if unsure.

    The sniffer's quote guess is only trusted when the header itself is
    quoted with it: apostrophes in free text fool it otherwise.
    """
    sample = sniff_sample(text)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return header_delimiter(sample, DELIMITERS), '"'
    quote = dialect.quotechar if sample.startswith(dialect.quotechar) else '"'
    return dialect.delimiter, quote


def _conflicts(known: dict[str, str], animal: dict[str, str], first: int, line: int) -> list[str]:
    """How `animal` (on `line`) contradicts what an earlier row said; fills in what that row left empty."""
    found = []
    for column, value in animal.items():
        if not value:
            continue
        if not known[column]:
            known[column] = value
        elif known[column].casefold() != value.casefold():
            found.append(
                f'"{animal["animal_ID"]}" has {column} "{known[column]}" on line {first} and "{value}" on line {line}'
            )
    return found
