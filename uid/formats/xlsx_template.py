"""The Excel template: a workbook with `breed`, `animal` and `sample` sheets.

Sheet and column names are matched ignoring case, extra spaces and
underscores, and everything missing is reported by name at once. Cells keep
the text the scientist typed; real Excel dates become YYYY-MM-DD text, so
validation judges them like any other date. The `breed` sheet lists each
supplied breed once with its country; animals take their breed country
(and their species, when left empty) from it.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime, time

from openpyxl import load_workbook

from common.constants import PROGRESS_STRIDE
from uid.formats import Parsed, Progress
from uid.formats.records import RecordRows, clean
from uid.formats.zip_guard import workbook_problem
from uid.models import Animal, Sample
from uid.upload_checks import ImportFailed, listing
from validation.vocabularies import normalise

NAME = "xlsx"
BREED_SHEET, ANIMAL_SHEET, SAMPLE_SHEET = "breed", "animal", "sample"
BREED_COLUMNS: tuple[str, ...] = ("supplied breed", "breed country", "species")
# Column → model field, in the template's order.
ANIMAL_COLUMNS: dict[str, str] = {
    "id": "name",
    "description": "description",
    "alternative id": "alternative_id",
    "father id": "father_name",
    "mother id": "mother_name",
    "breed": "breed",
    "species": "species",
    "sex": "sex",
    "birth date": "birth_date",
    "birth country": "birth_country",
    "birth location": "birth_location",
    "latitude": "latitude",
    "longitude": "longitude",
    "accuracy": "accuracy",
}
SAMPLE_COLUMNS: dict[str, str] = {
    "id": "name",
    "alternative id": "alternative_id",
    "description": "description",
    "animal id": "animal_name",
    "protocol": "protocol_url",
    "collection date": "collection_date",
    "collection place": "collection_place",
    "latitude": "latitude",
    "longitude": "longitude",
    "accuracy": "accuracy",
    "organism part": "organism_part",
    "developmental stage": "developmental_stage",
    "physiological stage": "physiological_stage",
    "animal age at collection": "animal_age_at_collection",
    "animal age at collection units": "animal_age_at_collection_units",
    "availability": "availability",
    "storage": "storage",
    "storage processing": "storage_processing",
    "preparation interval": "preparation_interval",
    "preparation interval units": "preparation_interval_units",
}
# Read when present, never required: the column list has no birth country, but validation
# wants one, so the template carries it and older workbooks without it still import.
OPTIONAL_COLUMNS = frozenset({"birth country"})
SHEETS: dict[str, tuple[str, ...]] = {
    BREED_SHEET: BREED_COLUMNS,
    ANIMAL_SHEET: tuple(ANIMAL_COLUMNS),
    SAMPLE_SHEET: tuple(SAMPLE_COLUMNS),
}
# Filled from the breed sheet, after the animal sheet's own columns.
ANIMAL_FIELDS = (*ANIMAL_COLUMNS.values(), "breed_country")
# A merged range in the sheet XML; merged cells come after the rows, so a regex over the bytes finds them cheaply.
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# A formula cell with no stored result: a program wrote the workbook and nothing has calculated it yet. (A
# formula whose result is an empty string is marked t="str".)
_UNCALCULATED = re.compile(
    rb'<c\s+r="([A-Z]+)(\d+)"([^>]*)>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
CHUNK_BYTES, OVERLAP_BYTES = 1024 * 1024, 512
HINT = "Download the .xlsx template from the create page and keep its sheet and column names."


def parse(data: bytes, progress: Progress = None) -> Parsed:
    """The workbook's records, or ImportFailed naming every missing sheet or column and every bad row."""
    problem = workbook_problem(io.BytesIO(data))
    if problem is not None:
        raise ImportFailed(problem)
    sheets = _read_sheets(data, progress)
    breeds, problems = _breeds(sheets[BREED_SHEET])
    animals = RecordRows(Animal, ANIMAL_FIELDS, kind="animal", place=f'sheet "{ANIMAL_SHEET}" row')
    unlisted: dict[str, list[int]] = {}
    animal_columns = (*ANIMAL_COLUMNS, "breed country")
    for line, cells in _records(sheets[ANIMAL_SHEET], tuple(ANIMAL_COLUMNS)):
        values = dict(zip(ANIMAL_COLUMNS.values(), cells, strict=True))
        values["breed_country"] = ""
        if values["breed"]:
            match = _match_breed(breeds, values["breed"], values["species"])
            if match is None:
                unlisted.setdefault(f'"{values["breed"]}" ({values["species"] or "no species"})', []).append(line)
            else:
                values["species"] = values["species"] or match[0]
                values["breed_country"] = match[1]
        animals.add(line, tuple(values[field] for field in ANIMAL_FIELDS), animal_columns)
    samples = RecordRows(Sample, tuple(SAMPLE_COLUMNS.values()), kind="sample", place=f'sheet "{SAMPLE_SHEET}" row')
    for line, cells in _records(sheets[SAMPLE_SHEET], tuple(SAMPLE_COLUMNS)):
        samples.add(line, cells, tuple(SAMPLE_COLUMNS))
    if unlisted:
        where = [f"{breed} on rows {', '.join(map(str, lines))}" for breed, lines in unlisted.items()]
        problems.append(
            f'Breeds on sheet "{ANIMAL_SHEET}" that are not on sheet "{BREED_SHEET}": {listing(where, sep="; ")}. '
            f'Add each breed to sheet "{BREED_SHEET}" with its species and breed country.'
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
        sample_fields=tuple(SAMPLE_COLUMNS.values()),
        samples=samples.rows,
    )


Sheet = tuple[list[str], list[tuple[int, list[str]]]]  # header names, then (row number, cells) of each row


def _read_sheets(data: bytes, progress: Progress) -> dict[str, Sheet]:
    """Header and rows of the three sheets, as text, or ImportFailed naming every missing sheet and column."""
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style" and the like: noise about formatting, not data.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl raises many kinds (KeyError, XML errors, ...) for a damaged workbook.
    except Exception as error:  # noqa: BLE001
        raise ImportFailed(
            f"This workbook could not be read ({type(error).__name__}); it may be damaged. "
            "Open it in Excel or LibreOffice, save it again as .xlsx and upload that file."
        ) from None
    try:
        by_name = {_key(name): workbook[name] for name in workbook.sheetnames}
        missing_sheets = [name for name in SHEETS if name not in by_name]
        if missing_sheets:
            names = ", ".join(f'"{name}"' for name in missing_sheets)
            others = [f'"{name}"' for name in workbook.sheetnames if _key(name) not in SHEETS]
            # A misspelt or plural sheet name ("Animals") is the usual cause: show what is there.
            found = f" Its other sheets are {listing(others)}; rename the right ones." if others else ""
            raise ImportFailed(f"The workbook is missing the sheets {names}.{found} {HINT}")
        total = sum(by_name[name].max_row or 0 for name in SHEETS)
        done = 0
        sheets: dict[str, Sheet] = {}
        problems = []
        for name, columns in SHEETS.items():
            rows = by_name[name].iter_rows(values_only=True)
            names_row = [cell_text(cell) for cell in next(rows, ())]
            header = [_key(cell) for cell in names_row]
            missing = [column for column in columns if column not in header and column not in OPTIONAL_COLUMNS]
            if missing:
                names = ", ".join(f'"{column}"' for column in missing)
                unknown = [f'"{text}"' for text in names_row if text and _key(text) not in columns]
                found = f" Columns it does not know: {listing(unknown)}." if unknown else ""
                problems.append(f'Sheet "{name}" is missing the columns {names}.{found}')
            body = []
            for number, cells in enumerate(rows, start=2):
                done += 1
                if progress is not None and done % PROGRESS_STRIDE == 0:
                    progress(min(done, total), max(total, done))
                text = [cell_text(cell) for cell in cells]
                if any(text):  # spreadsheets keep formatted but empty rows
                    body.append((number, text))
            sheets[name] = (header, body)
            merged, uncalculated = _hidden_values(by_name[name])
            if merged:
                problems.append(
                    f'Sheet "{name}" has merged cells ({listing(merged)}): only the first cell of a merged range '
                    "holds its value, so the other rows would silently lose it. Unmerge them and fill in every row."
                )
            if uncalculated:
                problems.append(
                    f'Sheet "{name}" has formulas that were never calculated (cells {listing(uncalculated)}), so '
                    "their values are not in the file. Open the workbook in Excel or LibreOffice and save it again."
                )
        if problems:
            raise ImportFailed(f"{' '.join(problems)} {HINT}")
    except ImportFailed:
        raise
    # A damaged sheet fails only when its rows are read.
    except Exception as error:  # noqa: BLE001
        raise ImportFailed(
            f"This workbook could not be read ({type(error).__name__}); it may be damaged. "
            "Open it in Excel or LibreOffice, save it again as .xlsx and upload that file."
        ) from None
    finally:
        workbook.close()
    return sheets


def _hidden_values(sheet: object) -> tuple[list[str], list[str]]:
    """Merged ranges (e.g. "B2:B4") and uncalculated formula cells (e.g. "L2") below the header row.

    Read-only mode, which keeps big workbooks fast, reports a merged range's
    value in its first cell only and an uncalculated formula as empty, and
    says neither; both are found in the sheet's XML here, a chunk at a time
    so a big sheet is never held in memory whole.
    """
    merged: dict[str, None] = {}
    uncalculated: dict[str, None] = {}
    tail = b""
    with sheet._get_source() as source:  # type: ignore[attr-defined]
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
    return list(merged), list(uncalculated)


def _records(sheet: Sheet, columns: tuple[str, ...]) -> list[tuple[int, tuple[str, ...]]]:
    """(row number, values of `columns`) of the sheet's rows that fill any of those columns."""
    header, body = sheet
    positions = [header.index(column) if column in header else len(header) for column in columns]
    records = []
    for number, cells in body:
        values = tuple(cells[at] if at < len(cells) else "" for at in positions)
        if any(values):
            records.append((number, values))
    return records


def _breeds(sheet: Sheet) -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    """Breed (normalised) → [(species, breed country)], and the problems of the breed sheet."""
    breeds: dict[str, list[tuple[str, str]]] = {}
    no_breed = []
    for number, (breed, country, species) in _records(sheet, BREED_COLUMNS):
        if not breed:
            no_breed.append(str(number))
            continue
        breeds.setdefault(normalise(breed), []).append((species, country))
    problems = []
    if no_breed:
        problems.append(
            f'Sheet "{BREED_SHEET}" has rows without a supplied breed: rows {listing(no_breed)}. '
            "Fill it in or delete those rows."
        )
    return breeds, problems


def _match_breed(breeds: dict[str, list[tuple[str, str]]], breed: str, species: str) -> tuple[str, str] | None:
    """(species, breed country) of the breed sheet's first row for this breed (and species, when given)."""
    candidates = breeds.get(normalise(breed), [])
    if species:
        candidates = [c for c in candidates if not c[0] or normalise(c[0]) == normalise(species)]
    return candidates[0] if candidates else None


def _key(value: object) -> str:
    """A sheet or column name as compared: "Animal_ID " matches "animal id"."""
    return normalise(str(value or "").replace("_", " "))


def cell_text(value: object) -> str:
    """A cell as the text stored: dates as YYYY-MM-DD, whole numbers without ".0"."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)
