"""Which fields each record type has, how much each matters, and what a value must look like.

One table drives the per-field rules, the field list on the report page,
the record edit form and the README, so the three can never disagree about
whether, say, `storage` is recommended. A missing mandatory value is an
Error and a missing recommended one a Warning; an optional one is judged
only when given. Rules that need more than one field (units next to an age,
coordinates against their accuracy, parents, dates across records) live in
`validation.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

ANIMAL = "animal"
SAMPLE = "sample"

MANDATORY = "mandatory"
RECOMMENDED = "recommended"
OPTIONAL = "optional"
# At least one field of its group (`ONE_OF`) must be given; missing all of them is an Error.
ONE_OF = "mandatory, one of"

# Kinds of value, each checked by `validation.checks`.
TEXT = "text"
DATE = "date"
NUMBER = "number"
LATITUDE = "latitude"
LONGITUDE = "longitude"
WEB_URL = "web address"
REFERENCES = "DOIs or web addresses"
TIME_UNIT = "time unit"
SEX = "sex"
SPECIES = "species"
BREED = "breed"
COUNTRY = "country"
ACCURACY = "accuracy"
ORGANISM_PART = "organism part"
DEVELOPMENTAL_STAGE = "developmental stage"
PHYSIOLOGICAL_STAGE = "physiological stage"
STORAGE = "storage"
STORAGE_PROCESSING = "storage processing"
AVAILABILITY = "availability"


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # model field
    column: str  # what the submitter's file calls it; messages name this
    level: str  # MANDATORY, RECOMMENDED or OPTIONAL
    kind: str
    help: str = ""


_LOCATION = (
    Field("latitude", "latitude", OPTIONAL, LATITUDE, "Decimal degrees, -90 to 90."),
    Field("longitude", "longitude", OPTIONAL, LONGITUDE, "Decimal degrees, -180 to 180."),
    Field("accuracy", "accuracy", OPTIONAL, ACCURACY, "How precise latitude and longitude are."),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    ANIMAL: (
        Field("name", "id", MANDATORY, TEXT, "Unique within the submission."),
        Field("alternative_id", "alternative_id", OPTIONAL, TEXT, "Another id, such as an ear tag."),
        Field("description", "description", OPTIONAL, TEXT),
        Field("species", "species", MANDATORY, SPECIES, "Latin name (NCBI Taxonomy)."),
        Field("breed", "breed", MANDATORY, BREED, "A breed of that species."),
        Field("breed_country", "breed_country", ONE_OF, COUNTRY, "Country of the breed; this or birth_country."),
        Field("sex", "sex", MANDATORY, SEX),
        Field("birth_date", "birth_date", RECOMMENDED, DATE, "YYYY-MM-DD, YYYY-MM or YYYY."),
        Field("birth_country", "birth_country", ONE_OF, COUNTRY, "Where it was born; this or breed_country."),
        Field("birth_location", "birth_location", OPTIONAL, TEXT, "Farm, town or region of birth."),
        *_LOCATION,
        Field("father_name", "father_id", OPTIONAL, TEXT, "Id of a male animal of this submission."),
        Field("mother_name", "mother_id", OPTIONAL, TEXT, "Id of a female animal of this submission."),
    ),
    SAMPLE: (
        Field("name", "id", MANDATORY, TEXT, "Unique within the submission."),
        Field("alternative_id", "alternative_id", OPTIONAL, TEXT),
        Field("description", "description", OPTIONAL, TEXT),
        Field("animal_name", "animal_id", MANDATORY, TEXT, "Id of the one animal of this submission sampled."),
        Field("collection_date", "collection_date", MANDATORY, DATE, "YYYY-MM-DD, YYYY-MM or YYYY."),
        Field("collection_place", "collection_place", OPTIONAL, TEXT),
        *_LOCATION,
        Field("organism_part", "organism_part", MANDATORY, ORGANISM_PART, "UBERON term."),
        Field("developmental_stage", "developmental_stage", OPTIONAL, DEVELOPMENTAL_STAGE, "UBERON or EFO term."),
        Field("physiological_stage", "physiological_stage", OPTIONAL, PHYSIOLOGICAL_STAGE, "PATO term."),
        Field("animal_age_at_collection", "animal_age_at_collection", OPTIONAL, NUMBER, "A number of units."),
        Field("animal_age_at_collection_units", "animal_age_at_collection_units", OPTIONAL, TIME_UNIT),
        Field("protocol_url", "protocol_url", RECOMMENDED, WEB_URL, "Link to the collection protocol."),
        Field("storage", "storage", RECOMMENDED, STORAGE),
        Field("storage_processing", "storage_processing", OPTIONAL, STORAGE_PROCESSING),
        Field("preparation_interval", "preparation_interval", OPTIONAL, NUMBER, "Collection to storage."),
        Field("preparation_interval_units", "preparation_interval_units", OPTIONAL, TIME_UNIT),
        Field("availability", "availability", OPTIONAL, AVAILABILITY, "mailto:address or a web page."),
        Field("sample_type", "sample_type", OPTIONAL, TEXT),
        Field("bibliographic_references", "bibliographic_references", OPTIONAL, REFERENCES, "Separated by ;"),
    ),
}

# A number and the field holding its unit: the unit is required once the number is given.
UNITS: dict[str, dict[str, str]] = {
    ANIMAL: {},
    SAMPLE: {
        "animal_age_at_collection": "animal_age_at_collection_units",
        "preparation_interval": "preparation_interval_units",
    },
}

# Groups of ONE_OF fields. The archive needs a country for every animal, and each format carries
# one differently: the workbook's breed sheet has the breed country (its birth country column is
# optional), the submission CSV has a birth country only, and CRB-Anim's country of origin is
# stored as both. Requiring birth_country alone would fail every workbook without that column.
ONE_OF_GROUPS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    ANIMAL: (
        (
            ("breed_country", "birth_country"),
            'Give the breed\'s country (in a workbook, on sheet "breed") or the country where the animal was born.',
        ),
    ),
    SAMPLE: (),
}

# Ids tie records together (samples to animals, animals to parents), so they
# are changed by uploading the file again, never on the edit page.
READ_ONLY = frozenset({"name"})


def field_names(record_type: str) -> tuple[str, ...]:
    """The model fields of `record_type` the rules read, in table order."""
    return tuple(field.name for field in FIELDS[record_type])


def column_of(record_type: str, name: str) -> str:
    return next(field.column for field in FIELDS[record_type] if field.name == name)


def markdown_table(record_type: str) -> str:
    """The field table of `record_type` as Markdown, as the README shows it (a test keeps the two equal)."""
    lines = ["| Column | Class | Value | Notes |", "| --- | --- | --- | --- |"]
    lines += [f"| `{f.column}` | {f.level} | {f.kind} | {f.help} |" for f in FIELDS[record_type]]
    return "\n".join(lines)
