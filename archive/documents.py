"""Records as the BioSamples sample documents IMAGE publishes (formats.md §5).

The document is BioSamples' own form (§5.2), the one its JSON API takes:
`name`, `release`, `taxId`, `characteristics` keyed by IMAGE's attribute
names, each a list of `{"text", "ontologyTerms": [IRI], "unit"}`, and
`relationships` `{source, type, target}` whose target is an accession. An
animal is a `child of` its parents and a sample is `derived from` its
animal, so a record can only be sent once its targets have accessions; the
caller passes them in. Empty fields are left out: BioSamples would store
an empty text. Which field feeds which attribute, the submission-wide
attributes (project, gene bank, the people of the `contact` sheet, the data
source) and the IRIs are validation's (through `archive.term_lookup`), so a
document carries exactly what the IMAGE ruleset judged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from archive import term_lookup as lookup
from uid.models import Animal, Sample, Submission

Value = dict[str, Any]
Characteristics = dict[str, list[Value]]

CHILD_OF = "child of"
DERIVED_FROM = "derived from"
DEGREES = "decimal degrees"
_DATE_UNITS = ((re.compile(r"^\d{4}-\d{2}-\d{2}$"), "YYYY-MM-DD"), (re.compile(r"^\d{4}-\d{2}$"), "YYYY-MM"))
_YEAR = re.compile(r"^\d{4}$")


def value(text: str, *, iri: str | None = None, unit: str | None = None) -> Value:
    entry: Value = {"text": text}
    if iri:
        entry["ontologyTerms"] = [iri]
    if unit:
        entry["unit"] = unit
    return entry


def submission_characteristics(submission: Submission) -> Characteristics:
    """The attributes every record of the submission shares (formats.md §5.1, "common to both").

    They are the ones validation judges (`validation.selectors.submission_attributes`):
    Project, the submission, the gene bank, the people of the `contact` sheet
    (or the owner, from their account), and the Data source type and version.
    Countries go by their English name, roles with their EFO term.
    """
    out: Characteristics = {}
    for attribute, texts in lookup.submission_texts(submission).items():
        for text in texts:
            text = text.strip()
            if attribute in lookup.COUNTRY_ATTRIBUTES:
                text = lookup.country(text)
            out.setdefault(attribute, []).append(value(text, iri=lookup.term_iri(attribute, text)))
    return out


def animal_document(
    animal: Animal, *, shared: Characteristics, release: str, parents: list[str], accession: str = ""
) -> dict[str, Any]:
    """`parents` are the accessions of the animal's father and mother, father first."""
    text = _reader(lookup.ANIMAL, animal)
    species_name, species_iri = lookup.species(animal.species.strip())
    out = _common(lookup.ANIMAL, animal, shared, species_name, species_iri)
    _put(out, "Supplied breed", text("Supplied breed"))
    _put_country(out, "EFABIS Breed country", text("EFABIS Breed country"))
    mapped = lookup.general_breed(species_name)
    if mapped:
        out["Mapped breed"] = [value(mapped[0], iri=mapped[1])]
    if text("Sex"):
        label, iri = lookup.sex(text("Sex"))
        out["Sex"] = [value(label, iri=iri)]
    _put_date(out, "Birth date", text("Birth date"))
    _put(out, "Birth location", text("Birth location"))
    _put(out, "Birth location longitude", text("Birth location longitude"), unit=DEGREES)
    _put(out, "Birth location latitude", text("Birth location latitude"), unit=DEGREES)
    _put(out, "Birth location accuracy", lookup.accuracy(text("Birth location accuracy")))
    source = accession or animal.name
    relationships = [{"source": source, "type": CHILD_OF, "target": parent} for parent in parents]
    return _document(animal, out, relationships, release, accession, lookup.taxon_id(species_name))


def sample_document(
    sample: Sample, *, shared: Characteristics, release: str, animal: Animal, animal_accession: str, accession: str = ""
) -> dict[str, Any]:
    text = _reader(lookup.SAMPLE, sample)
    species_name, species_iri = lookup.species(animal.species.strip())
    out = _common(lookup.SAMPLE, sample, shared, species_name, species_iri)
    out["Derived from"] = [value(animal.name)]
    _put(out, "Specimen collection protocol", text("Specimen collection protocol"))
    _put_date(out, "Collection date", text("Collection date"))
    _put(out, "Collection place", text("Collection place"))
    _put(out, "Collection place longitude", text("Collection place longitude"), unit=DEGREES)
    _put(out, "Collection place latitude", text("Collection place latitude"), unit=DEGREES)
    _put(out, "Collection place accuracy", lookup.accuracy(text("Collection place accuracy")))
    for attribute in ("Organism part", "Developmental stage", "Physiological stage"):
        if text(attribute):
            out[attribute] = [value(text(attribute), iri=lookup.term_iri(attribute, text(attribute)))]
    age, age_unit = sample.animal_age_at_collection, sample.animal_age_at_collection_units
    _put_measure(out, "Animal age at collection", age, age_unit)
    _put(out, "Availability", text("Availability"))
    _put(out, "Sample storage", text("Sample storage"))
    _put(out, "Sample storage processing", text("Sample storage processing"))
    interval, interval_unit = sample.preparation_interval, sample.preparation_interval_units
    _put_measure(out, "Sampling to preparation interval", interval, interval_unit)
    # A sample's own references (CRB-Anim) replace the submission's DOI, as validation reads them.
    references = lookup.split_values(text("Publication DOI"))
    if references:
        out["Publication DOI"] = [value(reference) for reference in references]
    source = accession or sample.name
    relationships = [{"source": source, "type": DERIVED_FROM, "target": animal_accession}]
    return _document(sample, out, relationships, release, accession, lookup.taxon_id(species_name))


def digest(document: dict[str, Any]) -> str:
    """What a record says, without what changes between sends (release, accession, the source's spelling).

    Stored when BioSamples accepts a document: a later submission PUTs an
    accessioned record only when its digest changed, i.e. it was edited.
    """
    essence = {
        "name": document["name"],
        "taxId": document.get("taxId"),
        "characteristics": document["characteristics"],
        "relationships": sorted((r["type"], r["target"]) for r in document.get("relationships", [])),
    }
    return hashlib.sha256(json.dumps(essence, sort_keys=True).encode()).hexdigest()


def _common(
    record_type: str,
    record: Animal | Sample,
    shared: Characteristics,
    species_name: str,
    species_iri: str | None,
) -> Characteristics:
    text = _reader(record_type, record)
    out: Characteristics = {"Data source ID": [value(record.name)]}
    # CRB-Anim has no alternative id: InjectTool uses the record's id (formats.md §2.3), as validation does.
    crb_anim = shared.get("Data source type") == [value("CRB-Anim")]
    _put(out, "Alternative id", record.name if crb_anim else text("Alternative id"))
    _put(out, "Description", text("Description"))
    out.update(shared)
    material = lookup.MATERIALS[record_type]
    out["Material"] = [value(material, iri=lookup.term_iri("Material", material))]
    if species_name:
        out["Species"] = [value(species_name, iri=species_iri)]
        # BioSamples' basic checklist asks every sample for an organism; IMAGE's records carry both (§5.2).
        out["organism"] = [value(species_name, iri=species_iri)]
    return out


def _reader(record_type: str, record: Animal | Sample) -> Callable[[str], str]:
    """The record's text of an IMAGE attribute, through validation's mapping of fields to attributes."""
    return lambda attribute: lookup.record_text(record_type, attribute, record)


def _put_country(out: Characteristics, name: str, text: str) -> None:
    if text:
        country = lookup.country(text)
        out[name] = [value(country, iri=lookup.term_iri(name, country))]


def _document(
    record: Animal | Sample,
    characteristics: Characteristics,
    relationships: list[dict[str, str]],
    release: str,
    accession: str,
    taxon: int | None,
) -> dict[str, Any]:
    document: dict[str, Any] = {"name": record.name, "release": release}
    if accession:
        document["accession"] = accession
    if taxon is not None:
        document["taxId"] = taxon
    document["characteristics"] = characteristics
    document["relationships"] = relationships
    return document


def _put(out: Characteristics, name: str, text: str, *, unit: str | None = None) -> None:
    if text and text.strip():
        out[name] = [value(text.strip(), unit=unit)]


def _put_date(out: Characteristics, name: str, text: str) -> None:
    text = text.strip()
    if not text:
        return
    unit = next((u for pattern, u in _DATE_UNITS if pattern.match(text)), "YYYY" if _YEAR.match(text) else None)
    out[name] = [value(text, unit=unit)]


def _put_measure(out: Characteristics, name: str, amount: str, unit: str) -> None:
    if amount.strip():
        out[name] = [value(amount.strip(), unit=lookup.time_unit(unit.strip()) if unit.strip() else None)]
