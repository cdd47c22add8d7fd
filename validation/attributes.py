"""The one mapping between IMAGE attribute names and the site's flat record and submission fields.

IMAGE validates a record as a map of attribute names ("Data source ID",
"Supplied breed", "Sample storage", ...) to lists of entries (formats.md §5).
The site stores each record as flat text fields (`uid.models`), and what is
the same for every record (Project, the people, the gene bank) once, on the
Submission. This module says which field feeds which attribute, so the
ruleset file can name attributes only and the rules never hard-code a model
field. An empty field is an absent attribute, as in InjectTool's documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from uid import vocabularies as vocab
from validation.checks import Entry, date_format
from validation.ruleset import Rule

ANIMAL = "animal"
SAMPLE = "sample"
MATERIALS = {ANIMAL: "organism", SAMPLE: "specimen from organism"}
MISSING_GEO = "missing geographic information"  # IMAGE's default accuracy (formats.md §0.2, code 0)

# Attribute → (value field, unit field) of the record's own fields. A unit field may be "".
RECORD_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    ANIMAL: {
        "Data source ID": ("name", ""),
        "Alternative id": ("alternative_id", ""),
        "Description": ("description", ""),
        "Species": ("species", ""),
        "Supplied breed": ("breed", ""),
        "EFABIS Breed country": ("breed_country", ""),  # the submission CSV has birth_country only: see below
        "Sex": ("sex", ""),
        "Birth date": ("birth_date", ""),
        "Birth location": ("birth_location", ""),
        "Birth location longitude": ("longitude", ""),
        "Birth location latitude": ("latitude", ""),
        "Birth location accuracy": ("accuracy", ""),
    },
    SAMPLE: {
        "Data source ID": ("name", ""),
        "Alternative id": ("alternative_id", ""),
        "Description": ("description", ""),
        "Derived from": ("animal_name", ""),
        "Specimen collection protocol": ("protocol_url", ""),
        "Collection date": ("collection_date", ""),
        "Collection place": ("collection_place", ""),
        "Collection place latitude": ("latitude", ""),
        "Collection place longitude": ("longitude", ""),
        "Collection place accuracy": ("accuracy", ""),
        "Organism part": ("organism_part", ""),
        "Developmental stage": ("developmental_stage", ""),
        "Physiological stage": ("physiological_stage", ""),
        "Animal age at collection": ("animal_age_at_collection", "animal_age_at_collection_units"),
        "Availability": ("availability", ""),
        "Sample storage": ("storage", ""),
        "Sample storage processing": ("storage_processing", ""),
        "Sampling to preparation interval": ("preparation_interval", "preparation_interval_units"),
        "Publication DOI": ("bibliographic_references", ""),  # CRB-Anim's references (formats.md §5.1)
    },
}
# Attributes not read from one field of the record:
# * Material: the record type's (organism or specimen from organism);
# * animal "EFABIS Breed country": breed_country, else birth_country (the submission CSV's only country);
# * animal "Mapped breed": the species' general breed (no LBO mapping is stored, §5.1);
# * animal "Child of": father_name and mother_name, the record's parents;
# * sample "Species": the species of the animal it derives from;
# * accuracies: "missing geographic information" when empty, IMAGE's default.

# The fields each record type reads, for the queries that load records.
READ_FIELDS: dict[str, tuple[str, ...]] = {
    ANIMAL: (
        "name",
        "alternative_id",
        "description",
        "species",
        "breed",
        "breed_country",
        "birth_country",
        "sex",
        "birth_date",
        "birth_location",
        "latitude",
        "longitude",
        "accuracy",
        "father_name",
        "mother_name",
        "import_conflicts",
    ),
    SAMPLE: (
        "name",
        "alternative_id",
        "description",
        "animal_name",
        "protocol_url",
        "collection_date",
        "collection_place",
        "latitude",
        "longitude",
        "accuracy",
        "organism_part",
        "developmental_stage",
        "physiological_stage",
        "animal_age_at_collection",
        "animal_age_at_collection_units",
        "availability",
        "storage",
        "storage_processing",
        "preparation_interval",
        "preparation_interval_units",
        "bibliographic_references",
        "import_conflicts",
    ),
}
# Headers of the template's `contact` sheet (British spelling) → the ruleset's attribute names.
CONTACT_KEYS = {
    "Person last name": "Person last name",
    "Person initial": "Person initial",
    "Person first name": "Person first name",
    "Person email": "Person email",
    "Person affiliation": "Person affiliation",
    "Person role": "Person role",
    "Organisation name": "Organization name",
    "Organisation address": "Organization address",
    "Organisation uri": "Organization uri",
    "Organisation country": "Organization country",
    "Organisation role": "Organization role",
}
SUBMISSION_ATTRIBUTES = frozenset(
    {
        "Project",
        "Submission title",
        "Submission description",
        "Gene bank name",
        "Gene bank country",
        "Data source type",
        "Data source version",
        *CONTACT_KEYS.values(),
    }
)
# Read from the record when it has them, else from the submission: a sample's own references (CRB-Anim).
RECORD_OR_SUBMISSION = frozenset({"Publication DOI"})
# Model field → (field read when it is empty, default when both are): see the list above.
FALLBACKS: dict[str, tuple[str, str]] = {"breed_country": ("birth_country", ""), "accuracy": ("", MISSING_GEO)}
_NUMBER_AND_UNIT = re.compile(r"\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*([^\d\s].*?)\s*")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
DOI_RESOLVERS = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")
_SEPARATORS = re.compile(r"\s*;\s*")


def entry(rule: Rule, value: str, unit: str = "") -> Entry:
    """One attribute entry from a field's text, typed as the rule's Type expects.

    A number becomes a float, with its unit from the unit field or written
    after it in the same cell ("1 year"); coordinates, whose only unit is
    "decimal degrees", carry it implicitly. A date carries the format it is
    written in as its units, as IMAGE's documents do.
    """
    if rule.type == "number":
        number: Any = value
        if _NUMBER.fullmatch(value):
            number = float(value)
        elif not unit and (match := _NUMBER_AND_UNIT.fullmatch(value)):
            number, unit = float(match.group(1)), match.group(2)
        if not unit and len(rule.valid_units) == 1:
            unit = rule.valid_units[0]
        return (number, unit, ())
    if rule.type == "date":
        return (value, date_format(value), ())
    if rule.type == "doi":
        # A resolver link names the DOI it points at; the DOI itself is what the archive takes.
        lowered = value.lower()
        prefix = next((p for p in DOI_RESOLVERS if lowered.startswith(p)), "")
        return (value[len(prefix) :], unit, ())
    return (value, unit, ())


def record_value(record_type: str, attribute: str, record: Mapping[str, Any]) -> str:
    """The text of `attribute` in a flat record (not the derived ones), "" when absent."""
    value_field, _ = RECORD_FIELDS[record_type].get(attribute, ("", ""))
    value = record.get(value_field, "") if value_field else ""
    if attribute == "EFABIS Breed country" and not value:
        value = record.get("birth_country", "")
    if attribute.endswith(" accuracy") and not value:
        value = MISSING_GEO
    return value


def mapped_breed(species: str) -> str:
    """The Mapped breed of an animal: its species' general breed label, "" when the species has none."""
    name = vocab.species_name(species)
    general = vocab.GENERAL_BREEDS.get(name or "")
    return general[0] if general else ""


def split_values(value: str) -> list[str]:
    """The values of a cell that may hold several, separated by semicolons."""
    return [part for part in _SEPARATORS.split(value.strip()) if part]


def submission_values(
    *,
    title: str,
    description: str,
    project: str,
    gene_bank_name: str,
    gene_bank_country: str,
    contacts: list[Any],
    owner: Any,
    publication_doi: str,
    data_source_type: str,
    data_source_version: str,
) -> dict[str, list[str]]:
    """The submission-level attributes as lists of texts (several people give several entries).

    Project is IMAGE unless the submission says otherwise, as InjectTool
    fixes it. People come from the `contact` rows; without any, the owner's
    account names the one person (InjectTool takes them from the user's
    profile), a submitter for the gene bank, which is the organisation.
    Whatever is still empty is left out, so validation names it.
    """
    values: dict[str, list[str]] = {
        "Project": [project or "IMAGE"],
        "Submission title": [title],
        "Submission description": [description],
        "Gene bank name": [gene_bank_name],
        "Gene bank country": [gene_bank_country],
        "Data source type": [data_source_type],
        "Data source version": [data_source_version],
        "Publication DOI": [publication_doi],
    }
    rows = [row for row in contacts if isinstance(row, dict)] if isinstance(contacts, list) else []
    if not rows and owner is not None:
        # The owner submits for the gene bank: InjectTool's default role is "submitter" (also the
        # ruleset's example for both roles), and the ruleset wants the gene bank among the organisations.
        rows = [
            {
                "Person last name": getattr(owner, "last_name", ""),
                "Person first name": getattr(owner, "first_name", ""),
                "Person email": getattr(owner, "email", ""),
                "Person affiliation": gene_bank_name,
                "Person role": "submitter",
                "Organization name": gene_bank_name,
                "Organization country": gene_bank_country,
                "Organization role": "submitter",
            }
        ]
    for key, attribute in CONTACT_KEYS.items():
        values[attribute] = [str(row.get(key) or row.get(attribute) or "").strip() for row in rows]
    # InjectTool sends "mailto:" + the address (§5.1); a bare address in the sheet means the same.
    values["Person email"] = [_mailto(email) for email in values["Person email"]]
    return {attribute: [text for text in texts if text] for attribute, texts in values.items()}


def _mailto(email: str) -> str:
    return f"mailto:{email}" if email and "@" in email and ":" not in email else email
