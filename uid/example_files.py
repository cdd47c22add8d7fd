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

from openpyxl import Workbook
from openpyxl.styles import Font

from uid.example_data import example_rows
from uid.formats import crb_anim, csv_template, xlsx_template
from validation.vocabularies import BREEDS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Example values for the fields the CSV template has no column for.
PLACE = "Experimental farm"
ACCURACY = "precise coordinates"
AVAILABILITY = "mailto:biobank@example.org"
# Temperatures as biobanks write them; the importer maps each to a storage term.
TEMPERATURES = ("-80°C", "-196 °C", "liquid nitrogen", "-80 °C")
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
    return _workbook({name: [] for name in xlsx_template.SHEETS})


def xlsx_example_file(*, animals: int = 12, samples_per_animal: int = 2, prefix: str = "") -> bytes:
    """The example records as a workbook; dates are real Excel dates, coordinates numbers."""
    rows = example_rows(animals, samples_per_animal, prefix=prefix)
    animal_rows = [row for row in rows if row["record_type"] == "animal"]
    births = {row["id"]: date.fromisoformat(row["birth_date"]) for row in animal_rows}
    breeds = {(row["breed"], row["species"]): _breed_country(row) for row in animal_rows}
    sheets: dict[str, list[list[object]]] = {
        xlsx_template.BREED_SHEET: [[breed, country, species] for (breed, species), country in breeds.items()],
        xlsx_template.ANIMAL_SHEET: [
            [
                row["id"],
                row["description"],
                row["alternative_id"],
                row["father_id"],
                row["mother_id"],
                row["breed"],
                row["species"],
                row["sex"],
                births[row["id"]],
                row["birth_country"],
                PLACE,
                None,
                None,
                "region level",  # a farm's name: IMAGE refuses a place with "missing geographic information"
            ]
            for row in animal_rows
        ],
        xlsx_template.SAMPLE_SHEET: [],
    }
    for row in rows:
        if row["record_type"] != "sample":
            continue
        collected = date.fromisoformat(row["collection_date"])
        age = (collected - births[row["animal_id"]]).days // 30
        sheets[xlsx_template.SAMPLE_SHEET].append(
            [
                row["id"],
                row["alternative_id"],
                row["description"],
                row["animal_id"],
                row["protocol_url"],
                collected,
                PLACE,
                float(row["latitude"]),
                float(row["longitude"]),
                ACCURACY,
                row["organism_part"],
                "adult",
                "mature",
                age,
                "months",
                AVAILABILITY,
                row["storage"],
                "cryopreservation in liquid nitrogen (dead tissue)",
                2,
                "hours",
            ]
        )
    return _workbook(sheets)


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


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with one sheet per entry: the format's column names in bold, then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(xlsx_template.SHEETS[name]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column, title in zip(sheet.iter_cols(max_row=1), xlsx_template.SHEETS[name], strict=True):
            sheet.column_dimensions[column[0].column_letter].width = max(12, len(title) + 2)
            if "date" in title:
                for cell in column[0].parent[column[0].column_letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# File name → how to build it; the URLs /data/templates/<name> serve these.
DOWNLOADS: dict[str, Download] = {
    "submission_template.csv": Download(CSV_TYPE, csv_template_file, "CSV template"),
    "submission_example.csv": Download(CSV_TYPE, csv_example_file, "CSV example"),
    "submission_template.xlsx": Download(XLSX_TYPE, xlsx_template_file, "Excel template"),
    "submission_example.xlsx": Download(XLSX_TYPE, xlsx_example_file, "Excel example"),
    "crb_anim_template.csv": Download(CSV_TYPE, crb_anim_template_file, "CRB-Anim template"),
    "crb_anim_example.csv": Download(CSV_TYPE, crb_anim_example_file, "CRB-Anim example"),
}
