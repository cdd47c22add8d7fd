"""Records as BioSamples-style sample documents.

BioSamples keeps every attribute as a characteristic: a list of
{"text", "ontologyTerms"} values under the attribute's name. Empty fields
are left out rather than sent as empty text, which the archive would store.

Relationships name their target by the record's id in this submission
(its alias, as WEBIN submissions do), not by accession: the archive resolves
aliases against what it already received from this submission, which is why
animals are sent before the samples derived from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from uid.models import Animal, Sample

# OBI terms BioSamples uses for "material".
ORGANISM = {"text": "organism", "ontologyTerms": ["http://purl.obolibrary.org/obo/OBI_0100026"]}
SPECIMEN = {"text": "specimen from organism", "ontologyTerms": ["http://purl.obolibrary.org/obo/OBI_0001479"]}

ANIMAL_FIELDS = {
    "organism": "species",
    "breed": "breed",
    "sex": "sex",
    "birth date": "birth_date",
    "birth location": "birth_location",
    "birth location latitude": "latitude",
    "birth location longitude": "longitude",
    "birth location accuracy": "accuracy",
    "supplied breed country": "breed_country",
    "description": "description",
    "alternative id": "alternative_id",
}
SAMPLE_FIELDS = {
    "organism part": "organism_part",
    "collection date": "collection_date",
    "collection place": "collection_place",
    "collection place latitude": "latitude",
    "collection place longitude": "longitude",
    "collection place accuracy": "accuracy",
    "developmental stage": "developmental_stage",
    "physiological stage": "physiological_stage",
    "sample storage": "storage",
    "sample storage processing": "storage_processing",
    "availability": "availability",
    "specimen collection protocol": "protocol_url",
    "description": "description",
    "alternative id": "alternative_id",
}
# Fields whose unit sits in a sibling field, sent as BioSamples does: {"text", "unit"}.
SAMPLE_MEASURES = {
    "animal age at collection": ("animal_age_at_collection", "animal_age_at_collection_units"),
    "sample preparation interval": ("preparation_interval", "preparation_interval_units"),
}


def animal_document(animal: Animal, *, release: datetime) -> dict[str, Any]:
    relationships = [
        {"source": animal.name, "type": "child of", "target": parent}
        for parent in (animal.father_name, animal.mother_name)
        if parent
    ]
    return _document(animal, ORGANISM, _characteristics(animal, ANIMAL_FIELDS), relationships, release)


def sample_document(sample: Sample, *, release: datetime) -> dict[str, Any]:
    characteristics = _characteristics(sample, SAMPLE_FIELDS)
    for name, (value_field, unit_field) in SAMPLE_MEASURES.items():
        value = getattr(sample, value_field).strip()
        if value:
            entry: dict[str, Any] = {"text": value}
            if getattr(sample, unit_field).strip():
                entry["unit"] = getattr(sample, unit_field).strip()
            characteristics[name] = [entry]
    animal = sample.animal.name if sample.animal_id else sample.animal_name
    relationships = [{"source": sample.name, "type": "derived from", "target": animal}] if animal else []
    return _document(sample, SPECIMEN, characteristics, relationships, release)


def _characteristics(record: Animal | Sample, fields: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [{"text": getattr(record, attribute).strip()}]
        for name, attribute in fields.items()
        if getattr(record, attribute).strip()
    }


def _document(
    record: Animal | Sample,
    material: dict[str, Any],
    characteristics: dict[str, list[dict[str, Any]]],
    relationships: list[dict[str, str]],
    release: datetime,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": record.name,
        "release": release.isoformat().replace("+00:00", "Z"),
        "characteristics": {"material": [material], **characteristics},
        "relationships": relationships,
    }
    if record.accession:
        document["accession"] = record.accession
    return document
