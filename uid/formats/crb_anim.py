"""CRB-Anim CSV exports as CRB-Anim writes them: one row per sample, the animal repeated on each of its rows.

This is what the French biobank network's exports look like (formats.md
§2). Columns are matched by name (case-insensitive), the dialect is sniffed,
`\\N` (a database dump's NULL) and empty cells mean no value, and storage
temperatures become IMAGE storage terms by the spec's table. An animal is
imported from the first row that names it; where a later row describes it
differently, the disagreement is kept in that animal's `import_conflicts`
("sex is female on row 2 but male on row 5"), which validation reports as
an Error for the scientist to fix on the page: nothing is refused for it
and nothing is silently dropped. Rows whose sample already has a
BioSamples id were submitted before: they are skipped, and the result says
which, so nothing is sent to the archive twice.
"""

from __future__ import annotations

import csv
import json

from common.constants import PROGRESS_STRIDE
from uid.formats import Parsed, Progress
from uid.formats.ages import derived_age
from uid.formats.records import RecordRows, clean
from uid.formats.species import DEFAULT_LANGUAGE, resolve_species
from uid.formats.storage_terms import storage_term
from uid.formats.text import csv_rows, header_delimiter, sniff_sample
from uid.models import Animal, Sample
from uid.upload_checks import ImportFailed, decode, listing

NAME = "crb-anim"
LABEL = "a CRB-Anim CSV export"
ABSENT = "this CSV has none of the CRB-Anim mandatory columns (sex, species_latin_name, animal_ID, …)."
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
# validation requires and CRB-Anim has no other column for. CRB-Anim has no coordinates, so both
# accuracies say so (IMAGE's default), and the age is derived from the row's two dates (§2.5).
NO_PLACE = "missing geographic information"
ANIMAL_FIELDS = (*ANIMAL_COLUMNS.values(), "birth_country", "accuracy", "import_conflicts")
ANIMAL_FILE_COLUMNS = (*ANIMAL_COLUMNS, "country_of_origin", "accuracy", "import_conflicts")
SAMPLE_FIELDS = (*SAMPLE_COLUMNS.values(), "accuracy", "animal_age_at_collection", "animal_age_at_collection_units")
SAMPLE_FILE_COLUMNS = (*SAMPLE_COLUMNS, "accuracy", "animal age", "animal age units")
UNKNOWN_SEX = "record of unknown sex"
# body_part_name values that say nothing, so sample_type_name names the organism part instead.
NO_BODY_PART = frozenset({"unknown", "not relevant"})
DELIMITERS = ",;\t|"
# The disagreements kept per animal, and the characters of a value they quote.
MAX_CONFLICTS = 20
QUOTED_CHARS = 60
HINT = "Download the CRB-Anim template from the create page and keep its header row."


def looks_like(head: bytes) -> bool:
    """Whether a file's first line is a CRB-Anim header: several of its column names, and no `record_type`."""
    names = head[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace").lower()
    return "record_type" not in names and sum(column.lower() in names for column in COLUMNS) >= 3


def parse(data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> Parsed:
    """The file's samples and their animals, or ImportFailed naming everything that is wrong.

    Common species names are read in `language`, then English (§0.3).
    """
    text = decode(data)
    rows = csv_rows(text, *_dialect(text))
    header = [clean(name).lower() for name in next(rows, (1, []))[1]]
    missing = [column for column in COLUMNS if column.lower() not in header]
    if missing:
        names = ", ".join(f'"{column}"' for column in missing)
        raise ImportFailed(f"The CRB-Anim file is missing the mandatory columns {names}. {HINT}")
    at = {column: header.index(column.lower()) for column in COLUMNS}
    total = max(text.count("\n"), 1)
    # Rows are numbered as a spreadsheet shows the file (the header is row 1), which is the line number
    # unless a quoted value (an address) spans several lines.
    animals = RecordRows(Animal, ANIMAL_FIELDS, kind="animal", place="row")
    samples = RecordRows(Sample, SAMPLE_FIELDS, kind="sample", place="row")
    # animal_ID → (first row, its values, how later rows disagree)
    described: dict[str, tuple[int, dict[str, str], _Conflicts]] = {}
    skipped: list[str] = []
    # A biobank writes a handful of temperatures over and over; mapping each once keeps 100,000 rows fast.
    terms: dict[str, str] = {}
    latin: dict[str, str] = {}
    for line, (at_line, fields) in enumerate(rows, start=2):
        if progress is not None and line % PROGRESS_STRIDE == 0:
            progress(min(at_line, total), total)
        cells = {column: clean(fields[index]) if index < len(fields) else "" for column, index in at.items()}
        if not any(cells.values()):
            continue
        if cells[ACCESSION]:
            skipped.append(f"{cells['sample_identifier'] or f'row {line}'} ({cells[ACCESSION]})")
            continue
        # A common name ("Cattle") becomes its Latin name as in the template (§0.3); anything else stays as
        # written, for validation to report.
        species = cells["species_latin_name"]
        if species not in latin:
            latin[species] = resolve_species(species, language=language) or species
        cells["species_latin_name"] = latin[species]
        if cells["sex"].lower() == "unknown":
            cells["sex"] = UNKNOWN_SEX
        temperature = cells["sample_storage_temperature"]
        if temperature not in terms:
            terms[temperature] = storage_term(temperature)
        cells["sample_storage_temperature"] = terms[temperature]
        samples.add(line, _sample_values(cells), SAMPLE_FILE_COLUMNS)
        animal = {column: cells[column] for column in ANIMAL_COLUMNS}
        name = animal["animal_ID"]
        if name not in described or not name:
            described[name] = (line, animal, _Conflicts(first=line, known=animal))
            animals.add(line, _animal_values(animal, []), ANIMAL_FILE_COLUMNS)
        else:
            described[name][2].add(animal, line=line)
    problems = animals.problems() + samples.problems()
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
    # Values a later row filled in where the first left them empty, and the disagreements found.
    animal_rows = [
        (line, _animal_values(described[values[0]][1], described[values[0]][2].messages()))
        for line, values in animals.rows
    ]
    return Parsed(
        animal_fields=ANIMAL_FIELDS,
        animals=animal_rows,
        sample_fields=SAMPLE_FIELDS,
        samples=samples.rows,
        notes=notes,
    )


def _animal_values(animal: dict[str, str], conflicts: list[str]) -> tuple[str, ...]:
    # import_conflicts goes to the database as JSON text (common.bulk_insert writes values as given).
    return (*animal.values(), animal["country_of_origin"], NO_PLACE, json.dumps(conflicts))


def _sample_values(cells: dict[str, str]) -> tuple[str, ...]:
    body_part, sample_type = cells["body_part_name"].lower(), cells["sample_type_name"].lower()
    values = {column: cells[column] for column in SAMPLE_COLUMNS}
    values["body_part_name"] = sample_type if body_part in NO_BODY_PART or not body_part else body_part
    age, unit = derived_age(cells["animal_birth_date"], cells["sampling_date"]) or ("", "")
    return (*values.values(), NO_PLACE, age, unit)


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


class _Conflicts:
    """How the later rows of an animal contradict its first row; fills in what that row left empty.

    Each (column, value) is told once, values are quoted short and at most
    MAX_CONFLICTS are kept: a file repeating one animal with a huge first
    value must not grow a message per row quoting it in full.
    """

    def __init__(self, *, first: int, known: dict[str, str]) -> None:
        self.first, self.known = first, known
        self._folded = {column: value.casefold() for column, value in known.items()}
        self._found: list[str] = []
        self._seen: set[tuple[str, str]] = set()
        self._more_rows = 0

    def add(self, animal: dict[str, str], *, line: int) -> None:
        """Notes how `animal`, on row `line`, differs from the first row."""
        new = False
        for column, value in animal.items():
            if not value:
                continue
            if not self.known[column]:
                self.known[column], self._folded[column] = value, value.casefold()
                continue
            folded = value.casefold()
            if self._folded[column] == folded or (column, folded) in self._seen:
                continue
            if len(self._found) >= MAX_CONFLICTS:
                new = True
                continue
            self._seen.add((column, folded))
            self._found.append(
                f"{column} is {_short(self.known[column])} on row {self.first} but {_short(value)} on row {line}"
            )
        self._more_rows += new

    def messages(self) -> list[str]:
        if not self._more_rows:
            return list(self._found)
        rows = f"{self._more_rows} more rows disagree" if self._more_rows > 1 else "1 more row disagrees"
        return [*self._found, f"and {rows} with row {self.first}"]


def _short(value: str) -> str:
    return value if len(value) <= QUOTED_CHARS else value[: QUOTED_CHARS - 1] + "…"
