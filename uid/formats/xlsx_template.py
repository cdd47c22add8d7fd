"""The IMAGE Excel template: sheets `breed`, `animal` and `sample`, with IMAGE's own column names.

The workbook is the one IMAGE gives its users (formats.md §1; the create
page offers a copy). Columns are found by their exact header text, in any
order; the first of two equal headers wins (the empty template has `Animal
age at collection` twice) and other columns are ignored. Cells keep the text
the scientist typed, for validation to judge: dates become YYYY-MM-DD
(Excel dates and serial numbers in the workbook's date mode, or ISO text as
written), "1 year" is split into a number and a unit. What the import needs
to link records is refused, all of it at once and nothing stored: a
missing sheet or column (named as the template names it), a species that
is neither a Latin name nor a synonym (§0.3, in the gene bank country's
language), and a breed the breed sheet does not list for the animal's
species. The `submission` and `contact` sheets fill the submission's gene
bank, project and contacts.
"""

from __future__ import annotations

from typing import Any

from common.constants import PROGRESS_STRIDE
from uid.formats import Parsed, Progress
from uid.formats.ages import split_amount
from uid.formats.records import RecordRows
from uid.formats.species import DEFAULT_LANGUAGE, known_names, language_of, resolve_species
from uid.formats.xlsx_columns import (
    AMOUNTS,
    ANIMAL_COLUMNS,
    ANIMAL_SHEET,
    BREED_COLUMNS,
    BREED_SHEET,
    CONTACT_COLUMNS,
    CONTACT_SHEET,
    SAMPLE_COLUMNS,
    SAMPLE_SHEET,
    SHEETS,
    SUBMISSION_COLUMNS,
    SUBMISSION_SHEET,
    UNIT_COLUMNS,
)
from uid.formats.xlsx_sheets import SheetRow, date_text, declared_rows, open_workbook, read_rows, text
from uid.formats.xlsx_workbook import check_workbook, hidden_values, missing_columns, missing_parts
from uid.models import Animal, Sample
from uid.upload_checks import ImportFailed, listing

NAME = "xlsx"
LABEL = "an IMAGE Excel template (.xlsx)"
ABSENT = "this is not an Excel .xlsx workbook (it is not a ZIP archive)."
DATE_FIELDS = frozenset({"birth_date", "collection_date"})
ANIMAL_FIELDS = (*ANIMAL_COLUMNS.values(), "breed_country")
SAMPLE_FIELDS = (*SAMPLE_COLUMNS.values(), *UNIT_COLUMNS.values())
HINT = "The create page offers IMAGE's empty template to start from."

# header text → column number, the first occurrence of each.
Header = dict[str, int]


def looks_like(head: bytes) -> bool:
    """Whether a file starts as a ZIP archive, which an .xlsx workbook is."""
    return head.startswith(b"PK\x03\x04")


def parse(data: bytes, progress: Progress = None, *, language: str = DEFAULT_LANGUAGE) -> Parsed:
    """The workbook's records and submission fields, or ImportFailed naming everything that must change.

    Species synonyms are read in the language of the workbook's own gene bank country when its
    `submission` sheet gives one, else in `language` (the submission's).
    """
    check_workbook(data)
    workbook = open_workbook(data)
    try:
        # Reading the rows is the first half of this bar and making records of them the second.
        sheets, submission = _read(workbook, (lambda done, total: progress(done, 2 * total)) if progress else None)
    finally:
        workbook.close()
    if submission.get("gene_bank_country", "").strip():
        language = language_of(submission["gene_bank_country"])
    breeds, problems = _breeds(sheets[BREED_SHEET], language)
    animals = RecordRows(Animal, ANIMAL_FIELDS, kind="animal", place=f'sheet "{ANIMAL_SHEET}" row')
    unlisted: dict[str, list[int]] = {}
    header, rows = sheets[ANIMAL_SHEET]
    animal_names = (*ANIMAL_COLUMNS, "EFABIS Breed country")
    total = len(rows) + len(sheets[SAMPLE_SHEET][1])
    built = 0
    for number, cells in rows:
        built += 1
        if progress is not None and built % PROGRESS_STRIDE == 0:
            progress(total + built, 2 * total)
        values = _values(cells, header, ANIMAL_COLUMNS, workbook.epoch)
        if not any(values.values()):
            continue
        values["breed_country"] = ""
        if values["breed"] or values["species"]:
            match = _match_breed(breeds, values["breed"], values["species"], language)
            # A breed row whose species is unknown is reported as such already.
            if match is None and not any(entry[1] is None for entry in breeds.get(values["breed"], [])):
                key = f'"{values["breed"]}" ({values["species"] or "no species"})'
                unlisted.setdefault(key, []).append(number)
            elif match is not None:
                values["species"], values["breed_country"] = match
        animals.add(number, tuple(values[name] for name in ANIMAL_FIELDS), animal_names)
    samples = RecordRows(Sample, SAMPLE_FIELDS, kind="sample", place=f'sheet "{SAMPLE_SHEET}" row')
    header, rows = sheets[SAMPLE_SHEET]
    for number, cells in rows:
        built += 1
        if progress is not None and built % PROGRESS_STRIDE == 0:
            progress(total + built, 2 * total)
        values = _values(cells, header, {**SAMPLE_COLUMNS, **UNIT_COLUMNS}, workbook.epoch)
        if not any(values.values()):
            continue
        for amount, unit in AMOUNTS.items():
            values[amount], values[unit] = split_amount(values[amount], values[unit])
        samples.add(number, tuple(values[name] for name in SAMPLE_FIELDS), (*SAMPLE_COLUMNS, *UNIT_COLUMNS))
    if unlisted:
        where = [f"{breed} on rows {', '.join(map(str, lines))}" for breed, lines in unlisted.items()]
        problems.append(
            f'Breeds on sheet "{ANIMAL_SHEET}" that sheet "{BREED_SHEET}" does not list for that species: '
            f'{listing(where, sep="; ")}. Add each to sheet "{BREED_SHEET}" (Supplied breed, EFABIS Breed country, '
            "Species), or correct the animal's Breed and Species."
        )
    problems += animals.problems() + samples.problems()
    if problems:
        raise ImportFailed(" ".join(problems))
    if not animals.rows and not samples.rows:
        raise ImportFailed(
            f'The workbook has no records. Add one row per animal on sheet "{ANIMAL_SHEET}" '
            f'and one per sample on sheet "{SAMPLE_SHEET}", below the column names.'
        )
    return Parsed(
        animal_fields=ANIMAL_FIELDS,
        animals=animals.rows,
        sample_fields=SAMPLE_FIELDS,
        samples=samples.rows,
        submission=submission,
    )


Sheet = tuple[Header, list[SheetRow]]


def _read(workbook: Any, progress: Progress) -> tuple[dict[str, Sheet], dict[str, Any]]:
    """Header and rows of the three record sheets, and the submission fields, or ImportFailed."""
    problem = missing_parts(workbook, SHEETS)
    if problem:
        raise ImportFailed(f"{problem} {HINT}")
    total = sum(declared_rows(workbook[name]) for name in SHEETS)
    done = [0]
    sheets: dict[str, Sheet] = {}
    problems = []
    for name in SHEETS:
        rows = read_rows(workbook, name, progress=progress, done=done, total=total)
        header = _header(rows[0][1] if rows and rows[0][0] == 1 else {})
        sheets[name] = (header, [row for row in rows if row[0] > 1])
        problems += [problem for problem in [missing_columns(name, header, SHEETS[name])] if problem]
        problems += hidden_values(workbook[name], name)
    if problems:
        raise ImportFailed(f"{' '.join(problems)} {HINT}")
    return sheets, _submission(workbook)


def _submission(workbook: Any) -> dict[str, Any]:
    """The `submission` sheet's first row and the `contact` sheet's rows, when the workbook has them."""
    fields: dict[str, Any] = {}
    if SUBMISSION_SHEET in workbook.sheetnames:
        rows = read_rows(workbook, SUBMISSION_SHEET, progress=None, done=[0], total=0)
        header = _header(rows[0][1] if rows and rows[0][0] == 1 else {})
        first = next((cells for number, cells in rows if number > 1), None)
        if first is not None:
            for column, field in SUBMISSION_COLUMNS.items():
                if column in header:
                    fields[field] = text(first.get(header[column]))[:255]
    if CONTACT_SHEET in workbook.sheetnames:
        rows = read_rows(workbook, CONTACT_SHEET, progress=None, done=[0], total=0)
        header = _header(rows[0][1] if rows and rows[0][0] == 1 else {})
        contacts = []
        for number, cells in rows:
            contact = {column: text(cells.get(header[column])) for column in CONTACT_COLUMNS if column in header}
            if number > 1 and any(contact.values()):
                contacts.append(contact)
        fields["contacts"] = contacts
    return fields


def _header(cells: dict[int, Any]) -> Header:
    """Each header text (stripped, case kept) → its first column."""
    header: Header = {}
    for column in sorted(cells):
        header.setdefault(text(cells[column]), column)
    return header


def _values(cells: dict[int, Any], header: Header, columns: dict[str, str], epoch: Any) -> dict[str, str]:
    """Model field → text of one row; a column the sheet lacks (only optional ones can) is empty."""
    values = {}
    for column, field in columns.items():
        at = header.get(column)
        value = cells.get(at) if at is not None else None
        values[field] = date_text(value, epoch) if field in DATE_FIELDS else text(value)
    return values


# Supplied breed → [(species as written, Latin name or None, breed country, row)]
Breeds = dict[str, list[tuple[str, str | None, str, int]]]


def _breeds(sheet: Sheet, language: str) -> tuple[Breeds, list[str]]:
    """The breed sheet's rows by supplied breed, and its problems (no breed, unknown species, ambiguous rows)."""
    header, rows = sheet
    breeds: Breeds = {}
    no_breed: list[str] = []
    unknown: dict[str, list[int]] = {}
    for number, cells in rows:
        values = _values(cells, header, BREED_COLUMNS, None)
        if not any(values.values()):
            continue
        if not values["breed"]:
            no_breed.append(str(number))
            continue
        latin = resolve_species(values["species"], language=language)
        if latin is None:
            unknown.setdefault(values["species"] or "(empty)", []).append(number)
        breeds.setdefault(values["breed"], []).append((values["species"], latin, values["breed_country"], number))
    problems = []
    if no_breed:
        problems.append(
            f'Sheet "{BREED_SHEET}" has rows without a Supplied breed: rows {listing(no_breed)}. '
            "Fill it in or delete those rows."
        )
    if unknown:
        where = [f'"{word}" on rows {", ".join(map(str, lines))}' for word, lines in unknown.items()]
        problems.append(
            f'Unknown species on sheet "{BREED_SHEET}": {listing(where, sep="; ")}. Write the Latin name '
            f"(e.g. Sus scrofa) or a common name the site knows ({', '.join(known_names(language))})."
        )
    ambiguous = []
    for breed, entries in breeds.items():
        by_species: dict[str | None, set[str]] = {}
        for _, latin, country, _ in entries:
            by_species.setdefault(latin, set()).add(country)
        ambiguous += [
            f'"{breed}" ({latin}) in {" and ".join(sorted(countries))}'
            for latin, countries in by_species.items()
            if latin and len(countries) > 1
        ]
    if ambiguous:
        problems.append(
            f'Sheet "{BREED_SHEET}" gives one breed of one species two countries: {listing(ambiguous, sep="; ")}. '
            "Keep one row per breed and species, so each animal's breed country is certain."
        )
    return breeds, problems


def _match_breed(breeds: Breeds, breed: str, species: str, language: str) -> tuple[str, str] | None:
    """(Latin species, breed country) of the breed row this animal names, or None if there is none.

    The animal's species may be written as on the breed sheet or as another
    name of the same species; when it is empty, a breed listed for one
    species only is that species.
    """
    entries = [entry for entry in breeds.get(breed, []) if entry[1]]
    if species:
        latin = resolve_species(species, language=language)
        entries = [entry for entry in entries if entry[0] == species or (latin and entry[1] == latin)]
    elif len({entry[1] for entry in entries}) > 1:
        return None
    if not entries:
        return None
    _, latin, country, _ = entries[0]
    return latin or "", country
