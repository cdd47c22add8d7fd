"""Deterministic example records that pass validation.

The downloadable example file is generated from here (and a test checks it
still is), so the example a scientist copies always matches the current
rules; tests and benchmarks use the same generator for files of any size.
Dates are fixed, not relative to today, so the output never changes.
"""

from __future__ import annotations

import csv
import os
from datetime import date, timedelta

from uid import vocabularies as vocab
from uid.importer import COLUMNS

SPECIES = ("Bos taurus", "Sus scrofa", "Ovis aries", "Capra hircus")
COUNTRIES = ("IT", "Germany", "FR", "United Kingdom", "ES", "Netherlands", "IE", "Denmark")
PARTS = ("blood", "muscle tissue", "liver", "hair", "skin", "heart", "lung", "kidney")
STORAGE = (
    "frozen, -80 degrees Celsius freezer",
    "frozen, liquid nitrogen",
    "RNAlater, frozen -20 degrees Celsius",
    "frozen, -20 degrees Celsius freezer",
    "ambient temperature",
)
FIRST_BIRTH = date(2012, 1, 1)
BIRTH_SPAN_DAYS = 3650
# Samples are collected 400 days to two years after birth, so the latest is long past.
COLLECTION_DAYS = (400, 30, 12)


def example_rows(animals: int = 120, samples_per_animal: int = 2, *, prefix: str = "") -> list[dict[str, str]]:
    """All animals first, then their samples; one dict per CSV row, keyed by column.

    `prefix` starts every record id and alternative id: an id belongs to one
    submission only, and validation warns about an alternative id another of
    the person's submissions uses, so a second file needs both of its own.

    Species cycle every animal and sex every four, so animal `i - 4` is of
    the same species and the other sex. Animals in the second half of the
    file get parents from the first half, born about five years earlier.
    """
    width = max(4, len(str(animals)))
    sample_width = max(4, len(str(animals * samples_per_animal)))
    # A multiple of 8 keeps `i - offset` on i's species and sex.
    offset = (animals // 16) * 8
    names = [f"{prefix}ANIMAL_{i + 1:0{width}d}" for i in range(animals)]
    births = [FIRST_BIRTH + timedelta(days=i * BIRTH_SPAN_DAYS // max(animals, 1)) for i in range(animals)]
    rows = []
    for i, name in enumerate(names):
        species = SPECIES[i % len(SPECIES)]
        breeds = vocab.BREEDS[species]
        father = mother = ""
        elder = i - offset
        if offset and elder >= 4 and i % 3 == 0:
            father, mother = (
                (names[elder], names[elder - 4]) if _sex(elder) == "male" else (names[elder - 4], names[elder])
            )
        rows.append(
            _row(
                record_type="animal",
                id=name,
                alternative_id=f"{prefix}EAR-{i + 1:0{width}d}",
                description=f"Example {species} {_sex(i)}",
                species=species,
                breed=breeds[(i // 8) % 4],
                sex=_sex(i),
                birth_date=births[i].isoformat(),
                birth_country=COUNTRIES[i % len(COUNTRIES)],
                father_id=father,
                mother_id=mother,
            )
        )
    first, step, steps = COLLECTION_DAYS
    for i, name in enumerate(names):
        for k in range(samples_per_animal):
            part = PARTS[(i + k) % len(PARTS)]
            rows.append(
                _row(
                    record_type="sample",
                    id=f"{prefix}SAMPLE_{i * samples_per_animal + k + 1:0{sample_width}d}",
                    alternative_id=f"{prefix}TUBE-{i * samples_per_animal + k + 1:0{sample_width}d}",
                    description=f"{part.capitalize()} of {name}",
                    animal_id=name,
                    collection_date=(births[i] + timedelta(days=first + step * (k % steps))).isoformat(),
                    organism_part=part,
                    storage=STORAGE[(i + k) % len(STORAGE)],
                    protocol_url=f"https://www.example.org/protocols/{part.replace(' ', '-')}-sampling.pdf",
                    latitude=f"{43 + (i % 12) * 0.75:.4f}",
                    longitude=f"{-2 + (i % 17) * 1.25:.4f}",
                )
            )
    return rows


def example_submission_metadata() -> dict[str, object]:
    """What the example submission says about itself: gene bank and one contact, as the template's sheets give them.

    The submission CSV has no place for them, so tests and benchmarks set
    them on the Submission; the ruleset needs them for every record.
    """
    return {
        "description": "Example animals and samples of a gene bank",
        "gene_bank_name": "Example Gene Bank",
        "gene_bank_country": "Italy",
        "contacts": [
            {
                "Person last name": "Rossi",
                "Person first name": "Maria",
                "Person email": "mailto:maria.rossi@example.org",
                "Person affiliation": "Example Gene Bank",
                "Person role": "submitter",
                "Organisation name": "Example Gene Bank",
                "Organisation address": "Via Example 1, Milano",
                "Organisation country": "Italy",
                "Organisation role": "submitter",
            }
        ],
    }


def write_example_csv(
    path: str | os.PathLike[str], *, animals: int = 120, samples_per_animal: int = 2, prefix: str = ""
) -> int:
    """Write `example_rows(...)` as a UTF-8 CSV file with the template's header; returns the record count."""
    rows = example_rows(animals, samples_per_animal, prefix=prefix)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _sex(index: int) -> str:
    return "male" if (index // 4) % 2 == 0 else "female"


def _row(**values: str) -> dict[str, str]:
    return {column: values.get(column, "") for column in COLUMNS}
