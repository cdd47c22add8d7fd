"""Records as the BioSamples sample documents IMAGE publishes (formats.md §5).

The document is BioSamples' own form (§5.2), the one its JSON API takes:
`name`, `release`, `taxId`, `characteristics` keyed by IMAGE's attribute
names, each a list of `{"text", "ontologyTerms": [IRI], "unit"}`, and
`relationships` `{source, type, target}` whose target is an accession. An
animal is a `child of` its parents and a sample is `derived from` its
animal, so a record can only be sent once its targets have accessions; the
caller passes them in. Empty fields are left out: BioSamples would store
an empty text. Submission-wide attributes (project, gene bank, the people
of the `contact` sheet) come from the Submission.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from archive import term_lookup as lookup
from uid.models import Animal, Sample, Submission

Value = dict[str, Any]
Characteristics = dict[str, list[Value]]

CHILD_OF = "child of"
DERIVED_FROM = "derived from"
DEGREES = "decimal degrees"
DEFAULT_PROJECT = "IMAGE"
# Header of the template's `contact` sheet → IMAGE attribute (the sheet spells "Organisation").
CONTACT_ATTRIBUTES = {
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
    """The attributes every record of the submission shares (formats.md §5.1, "common to both")."""
    out: Characteristics = {
        "Project": [value(submission.project.strip() or DEFAULT_PROJECT)],
        "Submission title": [value(submission.title.strip())],
    }
    _put(out, "Submission description", submission.description)
    _put(out, "Publication DOI", submission.publication_doi)
    _put(out, "Gene bank name", submission.gene_bank_name)
    if submission.gene_bank_country.strip():
        out["Gene bank country"] = [value(lookup.country(submission.gene_bank_country.strip()))]
    for contact in submission.contacts or [_owner_contact(submission)]:
        for header, attribute in CONTACT_ATTRIBUTES.items():
            text = str(contact.get(header) or "").strip()
            if not text:
                continue
            if attribute == "Person email" and not text.startswith("mailto:"):
                text = f"mailto:{text}"
            entry = value(text)
            if attribute in ("Person role", "Organization role"):
                entry = value(text, iri=lookup.role(text))
            elif attribute == "Organization country":
                entry = value(lookup.country(text))
            out.setdefault(attribute, []).append(entry)
    return out


def _owner_contact(submission: Submission) -> dict[str, str]:
    """Without a `contact` sheet the submitter is the owner, from their account (as InjectTool's profile)."""
    owner = submission.owner
    return {
        "Person last name": getattr(owner, "last_name", ""),
        "Person first name": getattr(owner, "first_name", ""),
        "Person email": getattr(owner, "email", ""),
        "Person role": "submitter" if getattr(owner, "email", "") else "",
    }


def animal_document(
    animal: Animal, *, shared: Characteristics, release: str, parents: list[str], accession: str = ""
) -> dict[str, Any]:
    """`parents` are the accessions of the animal's father and mother, father first."""
    species_name, species_iri = lookup.species(animal.species.strip())
    out = _common(animal, shared, lookup.ORGANISM, species_name, species_iri)
    _put(out, "Supplied breed", animal.breed)
    if animal.breed_country.strip():
        out["EFABIS Breed country"] = [value(lookup.country(animal.breed_country.strip()))]
    mapped = lookup.general_breed(species_name)
    if mapped:
        out["Mapped breed"] = [value(mapped[0], iri=mapped[1])]
    if animal.sex.strip():
        text, iri = lookup.sex(animal.sex.strip())
        out["Sex"] = [value(text, iri=iri)]
    _put_date(out, "Birth date", animal.birth_date)
    _put(out, "Birth location", animal.birth_location)
    _put(out, "Birth location longitude", animal.longitude, unit=DEGREES)
    _put(out, "Birth location latitude", animal.latitude, unit=DEGREES)
    _put(out, "Birth location accuracy", lookup.accuracy(animal.accuracy.strip()) if animal.accuracy.strip() else "")
    source = accession or animal.name
    relationships = [{"source": source, "type": CHILD_OF, "target": parent} for parent in parents]
    return _document(animal, out, relationships, release, accession, lookup.taxon_id(species_name))


def sample_document(
    sample: Sample, *, shared: Characteristics, release: str, animal: Animal, animal_accession: str, accession: str = ""
) -> dict[str, Any]:
    species_name, species_iri = lookup.species(animal.species.strip())
    out = _common(sample, shared, lookup.SPECIMEN, species_name, species_iri)
    out["Derived from"] = [value(animal.name)]
    _put(out, "Specimen collection protocol", sample.protocol_url)
    _put_date(out, "Collection date", sample.collection_date)
    _put(out, "Collection place", sample.collection_place)
    _put(out, "Collection place longitude", sample.longitude, unit=DEGREES)
    _put(out, "Collection place latitude", sample.latitude, unit=DEGREES)
    _put(out, "Collection place accuracy", lookup.accuracy(sample.accuracy.strip()) if sample.accuracy.strip() else "")
    if sample.organism_part.strip():
        out["Organism part"] = [value(sample.organism_part.strip(), iri=lookup.organism_part(sample.organism_part))]
    if sample.developmental_stage.strip():
        text = sample.developmental_stage.strip()
        out["Developmental stage"] = [value(text, iri=lookup.developmental_stage(text))]
    if sample.physiological_stage.strip():
        text = sample.physiological_stage.strip()
        out["Physiological stage"] = [value(text, iri=lookup.physiological_stage(text))]
    age, age_unit = sample.animal_age_at_collection, sample.animal_age_at_collection_units
    _put_measure(out, "Animal age at collection", age, age_unit)
    _put(out, "Availability", sample.availability)
    _put(out, "Sample storage", sample.storage)
    _put(out, "Sample storage processing", sample.storage_processing)
    interval, interval_unit = sample.preparation_interval, sample.preparation_interval_units
    _put_measure(out, "Sampling to preparation interval", interval, interval_unit)
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
    record: Animal | Sample,
    shared: Characteristics,
    material: tuple[str, str],
    species_name: str,
    species_iri: str | None,
) -> Characteristics:
    out: Characteristics = {"Data source ID": [value(record.name)]}
    _put(out, "Alternative id", record.alternative_id)
    _put(out, "Description", record.description)
    out.update(shared)
    out["Material"] = [value(material[0], iri=material[1])]
    if species_name:
        out["Species"] = [value(species_name, iri=species_iri)]
        # BioSamples' basic checklist asks every sample for an organism; IMAGE's records carry both (§5.2).
        out["organism"] = [value(species_name, iri=species_iri)]
    return out


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
