"""The downloadable empty templates and filled-in examples of every import format.

They are generated here from the same column lists the importers read, so a
template can never drift from what the importer expects, and the examples
from `uid.example_data`'s records, which pass validation. Tests import every
example through the real pipeline and validate it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from uid.cryoweb_example import example_dump
from uid.example_data import example_rows
from uid.formats import crb_anim, csv_template
from uid.vocabularies import BREEDS, COUNTRIES

IMAGE_TEMPLATE = Path(__file__).resolve().parent / "formats" / "files" / "Image_sample_empty_template.xlsx"
# The English synonyms the example workbook writes instead of Latin names (uid.formats.species).
COMMON_NAMES = {"Bos taurus": "Cattle", "Sus scrofa": "Pig", "Ovis aries": "Sheep", "Capra hircus": "Goat"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SQL_TYPE = "application/sql; charset=utf-8"
# Example values for the fields the CSV template has no column for.
PLACE = "Experimental farm"
ACCURACY = "precise coordinates"
AVAILABILITY = "mailto:biobank@example.org"
# Temperatures as CRB-Anim writes them; the importer maps each to an IMAGE storage term (formats.md §2.3).
# "-80°C" ("frozen, -80 degrees Celsius freezer") joins once validation knows IMAGE's storage terms.
TEMPERATURES = ("-196°C",)
# Breed countries, by position of the breed in its species' list (any is valid; these read naturally).
BREED_COUNTRIES = ("NL", "GB", "FR", "IT")


@dataclass(frozen=True, slots=True)
class Download:
    content_type: str
    build: Callable[[], bytes]
    title: str


def csv_template_file() -> bytes:
    return (",".join(csv_template.COLUMNS) + "\n").encode()


def csv_example_file() -> bytes:
    """The rows `write_example_csv` writes (the committed static example), built in memory."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=csv_template.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(example_rows())
    return buffer.getvalue().encode()


def xlsx_template_file() -> bytes:
    """IMAGE's empty template itself (of 2019-04-05), as shipped with the code."""
    return IMAGE_TEMPLATE.read_bytes()


def xlsx_example_file(*, animals: int = 12, samples_per_animal: int = 2, prefix: str = "") -> bytes:
    """IMAGE's template filled with the example records, as a scientist fills it in.

    Species are common names (resolved through the synonyms), countries
    names, dates real Excel dates, coordinates numbers, and the age and
    preparation interval a number and a unit in one cell ("26 months").
    """
    rows = example_rows(animals, samples_per_animal, prefix=prefix)
    animal_rows = [row for row in rows if row["record_type"] == "animal"]
    births = {row["id"]: date.fromisoformat(row["birth_date"]) for row in animal_rows}
    breeds = {(row["breed"], row["species"]): _breed_country_name(row) for row in animal_rows}
    book = load_workbook(io.BytesIO(xlsx_template_file()))
    # Project is IMAGE: the ruleset allows no other value.
    _fill(book["submission"], ["IMAGE", "Example herd", "Example records", "", "Example gene bank", "Italy"])
    contact = ["Rossi", "M", "Maria", "maria.rossi@example.org", "Example gene bank", "submitter"]
    organisation = ["Example gene bank", "Via Roma 1, Milano", "https://example.org", "Italy", "submitter"]
    _fill(book["contact"], [*contact, *organisation])
    for (breed, species), country in breeds.items():
        _fill(book["breed"], [breed, "", "", "", country, COMMON_NAMES[species]])
    for row in animal_rows:
        _fill(
            book["animal"],
            [
                *(row[column] for column in ("id", "description", "alternative_id", "father_id", "mother_id")),
                *(row["breed"], COMMON_NAMES[row["species"]], row["sex"], births[row["id"]], PLACE, None, None),
                "region level",  # a farm's name: IMAGE refuses a place with "missing geographic information"
            ],
        )
    for row in rows:
        if row["record_type"] != "sample":
            continue
        collected = date.fromisoformat(row["collection_date"])
        age = (collected - births[row["animal_id"]]).days // 30
        _fill(
            book["sample"],
            [
                *(
                    row["id"],
                    row["alternative_id"],
                    row["description"],
                    row["animal_id"],
                    row["protocol_url"],
                    AVAILABILITY,
                    collected,
                ),
                *(float(row["latitude"]), float(row["longitude"]), PLACE, ACCURACY, row["organism_part"], "adult"),
                *(
                    f"{age} months",
                    "mature",
                    None,
                    row["storage"],
                    "cryopreservation in liquid nitrogen (dead tissue)",
                    "2 hours",
                ),
            ],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, values: list[object]) -> None:
    """Append a row and show its dates as dates.

    The new row's cells are taken from `append`'s own position, not from
    `max_row`, which openpyxl recomputes over every cell on each call.
    """
    sheet.append(values)
    row = sheet._current_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, date):
            sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"


def _breed_country_name(animal: dict[str, str]) -> str:
    return COUNTRIES[_breed_country(animal)]


def crb_anim_template_file() -> bytes:
    return (",".join(crb_anim.COLUMNS) + "\n").encode()


def crb_anim_example_file(*, animals: int = 6, samples_per_animal: int = 2, prefix: str = "") -> bytes:
    """Example CRB-Anim rows, semicolon-separated with `\\N` for no value, as database exports are.

    The last sample already has a BioSamples id, to show that such rows are skipped.
    """
    rows = example_rows(animals, samples_per_animal, prefix=prefix)
    animal_rows = {row["id"]: row for row in rows if row["record_type"] == "animal"}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(crb_anim.COLUMNS)
    samples = [row for row in rows if row["record_type"] == "sample"]
    for index, sample in enumerate(samples):
        animal = animal_rows[sample["animal_id"]]
        accession = f"SAMEA{7000000 + index}" if index == len(samples) - 1 else "\\N"
        reference = "https://doi.org/10.1186/s12711-017-0345-y" if index % 3 == 0 else "\\N"
        values = {
            "sex": animal["sex"],
            "species_latin_name": animal["species"],
            "country_of_origin": _breed_country(animal),
            "breed_name": animal["breed"],
            "animal_ID": animal["id"],
            "sample_bibliographic_references": reference,
            "sample_identifier": sample["id"],
            "animal_birth_date": animal["birth_date"],
            "sample_storage_temperature": TEMPERATURES[index % len(TEMPERATURES)],
            "sample_type_name": "tissue",
            "body_part_name": sample["organism_part"],
            "sampling_date": sample["collection_date"],
            "sampling_protocol_url": sample["protocol_url"],
            "sample_availability": "https://www.crb-anim.fr/",
            crb_anim.ACCESSION: accession,
        }
        writer.writerow([values[column] for column in crb_anim.COLUMNS])
    return buffer.getvalue().encode()


def _breed_country(animal: dict[str, str]) -> str:
    return BREED_COUNTRIES[BREEDS[animal["species"]].index(animal["breed"]) % len(BREED_COUNTRIES)]


# File name → how to build it; the URLs /data/templates/<name> serve these.
DOWNLOADS: dict[str, Download] = {
    "submission_template.csv": Download(CSV_TYPE, csv_template_file, "CSV template"),
    "submission_example.csv": Download(CSV_TYPE, csv_example_file, "CSV example"),
    "submission_template.xlsx": Download(XLSX_TYPE, xlsx_template_file, "IMAGE Excel template"),
    "submission_example.xlsx": Download(XLSX_TYPE, xlsx_example_file, "IMAGE Excel example"),
    "crb_anim_template.csv": Download(CSV_TYPE, crb_anim_template_file, "CRB-Anim template"),
    "crb_anim_example.csv": Download(CSV_TYPE, crb_anim_example_file, "CRB-Anim example"),
    # CryoWeb has no empty template: a dump comes out of CryoWeb's database. Its two pg_dump forms instead.
    "cryoweb_example.sql": Download(SQL_TYPE, lambda: example_dump(form="insert"), "CryoWeb dump example"),
    "cryoweb_example_copy.sql": Download(SQL_TYPE, lambda: example_dump(form="copy"), "CryoWeb dump example (COPY)"),
}
