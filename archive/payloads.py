"""Records as BioSamples-style sample documents.

BioSamples keeps every attribute as a characteristic: a list of
{"text", "ontologyTerms", "unit"} values under the attribute's name. Empty
fields are left out rather than sent as empty text, which the archive would
store. A term the bundled vocabularies know goes with its ontology IRI, so
the archive can index it by meaning, not only by spelling; controlled values
go in their canonical spelling ("exact" is sent as "precise coordinates").
Countries go as their ISO name, text only: no GAZ table is bundled.

Relationships name their target by the record's id in this submission
(its alias, as WEBIN submissions do), not by accession: the archive resolves
aliases against what it already received from this submission, which is why
animals are sent before the samples derived from them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from uid.models import Animal, Sample
from validation import terms
from validation import vocabularies as vocab

# OBI terms BioSamples uses for "material".
ORGANISM = {"text": "organism", "ontologyTerms": ["http://purl.obolibrary.org/obo/OBI_0100026"]}
SPECIMEN = {"text": "specimen from organism", "ontologyTerms": ["http://purl.obolibrary.org/obo/OBI_0001479"]}
DEGREES = "decimal degrees"

Value = dict[str, Any]
# How a field's text becomes its value: the identity, or a vocabulary lookup that adds the ontology id.
Render = Callable[[str], Value]


def _text(value: str) -> Value:
    return {"text": value}


def _term(lookup: Callable[[str], str | None]) -> Render:
    def render(value: str) -> Value:
        term_id = lookup(value)
        return {"text": value, "ontologyTerms": [vocab.term_iri(term_id)]} if term_id else {"text": value}

    return render


def _species(value: str) -> Value:
    return _term(vocab.species_term)(vocab.species_name(value) or value)


def _country(value: str) -> Value:
    code = vocab.country_code(value)
    return {"text": vocab.COUNTRIES[code] if code else value}


def _accuracy(value: str) -> Value:
    return {"text": terms.accuracy(value) or value}


def _degrees(value: str) -> Value:
    return {"text": value, "unit": DEGREES}


ANIMAL_FIELDS: dict[str, tuple[str, Render]] = {
    "organism": ("species", _species),
    "breed": ("breed", _text),
    "sex": ("sex", _text),
    "birth date": ("birth_date", _text),
    "birth country": ("birth_country", _country),
    "birth location": ("birth_location", _text),
    "birth location latitude": ("latitude", _degrees),
    "birth location longitude": ("longitude", _degrees),
    "birth location accuracy": ("accuracy", _accuracy),
    "supplied breed country": ("breed_country", _country),
    "description": ("description", _text),
    "alternative id": ("alternative_id", _text),
}
SAMPLE_FIELDS: dict[str, tuple[str, Render]] = {
    "organism part": ("organism_part", _term(vocab.organism_part_term)),
    "sample type": ("sample_type", _text),
    "collection date": ("collection_date", _text),
    "collection place": ("collection_place", _text),
    "collection place latitude": ("latitude", _degrees),
    "collection place longitude": ("longitude", _degrees),
    "collection place accuracy": ("accuracy", _accuracy),
    "developmental stage": ("developmental_stage", _term(terms.developmental_stage_term)),
    "physiological stage": ("physiological_stage", _term(terms.physiological_stage_term)),
    "sample storage": ("storage", _text),
    "sample storage processing": ("storage_processing", _text),
    "availability": ("availability", _text),
    "specimen collection protocol": ("protocol_url", _text),
    "description": ("description", _text),
    "alternative id": ("alternative_id", _text),
}
# Fields whose unit sits in a sibling field, sent as BioSamples does: {"text", "unit"}.
SAMPLE_MEASURES = {
    "animal age at collection": ("animal_age_at_collection", "animal_age_at_collection_units"),
    "sample preparation interval": ("preparation_interval", "preparation_interval_units"),
}
# Validation takes several references in one cell, separated by ";": the archive takes one value each.
REFERENCES = "bibliographic references"


def animal_document(animal: Animal, *, release: datetime) -> dict[str, Any]:
    relationships = [
        {"source": animal.name, "type": "child of", "target": parent}
        for parent in (animal.father_name, animal.mother_name)
        if parent
    ]
    return _document(animal, ORGANISM, _characteristics(animal, ANIMAL_FIELDS), relationships, release)


def sample_document(sample: Sample, *, release: datetime) -> dict[str, Any]:
    characteristics: dict[str, list[Value]] = {}
    # The archive files every sample under an organism; a sample's is its animal's.
    if sample.animal_id and sample.animal.species.strip():
        characteristics["organism"] = [_species(sample.animal.species.strip())]
    characteristics.update(_characteristics(sample, SAMPLE_FIELDS))
    for name, (value_field, unit_field) in SAMPLE_MEASURES.items():
        value = getattr(sample, value_field).strip()
        if value:
            entry: Value = {"text": value}
            unit = getattr(sample, unit_field).strip()
            if unit:
                entry["unit"] = terms.time_unit(unit) or unit
            characteristics[name] = [entry]
    references = [reference.strip() for reference in sample.bibliographic_references.split(";") if reference.strip()]
    if references:
        characteristics[REFERENCES] = [{"text": reference} for reference in references]
    animal = sample.animal.name if sample.animal_id else sample.animal_name
    relationships = [{"source": sample.name, "type": "derived from", "target": animal}] if animal else []
    return _document(sample, SPECIMEN, characteristics, relationships, release)


def _characteristics(record: Animal | Sample, fields: dict[str, tuple[str, Render]]) -> dict[str, list[Value]]:
    characteristics = {}
    for name, (attribute, render) in fields.items():
        value = getattr(record, attribute).strip()
        if value:
            characteristics[name] = [render(value)]
    return characteristics


def _document(
    record: Animal | Sample,
    material: dict[str, Any],
    characteristics: dict[str, list[Value]],
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
