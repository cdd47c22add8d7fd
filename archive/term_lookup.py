"""The ontology terms the archive documents carry, in one place.

The IRIs come from the validation app's public lookups (its bundled term
tables). This is the only module of `archive` that reads them, so that a new
validation engine only has to keep these few names, or this module changes
alone. The small tables here are the ones formats.md gives for the archive
documents themselves (§0.2 and §5.1): materials, sexes and general breeds.
"""

from __future__ import annotations

from validation import terms
from validation import vocabularies as vocab

OBO = "http://purl.obolibrary.org/obo/"
ORGANISM = ("organism", OBO + "OBI_0100026")
SPECIMEN = ("specimen from organism", OBO + "OBI_0001479")
SEXES = {
    "male": ("male", "PATO_0000384"),
    "female": ("female", "PATO_0000383"),
    "unknown": ("record of unknown sex", "OBI_0000858"),
    "record of unknown sex": ("record of unknown sex", "OBI_0000858"),
}
# The species' general breed, IMAGE's Mapped breed when a breed has no mapping of its own (formats.md §0.3).
GENERAL_BREEDS = {
    "Bos taurus": ("cattle breed", "LBO_0000001"),
    "Gallus gallus": ("chicken breed", "LBO_0000002"),
    "Equus caballus": ("horse breed", "LBO_0000713"),
    "Sus scrofa": ("pig breed", "LBO_0000003"),
    "Ovis aries": ("sheep breed", "LBO_0000004"),
    "Capra hircus": ("goat breed", "LBO_0000954"),
    "Bubalus bubalis": ("buffalo breed", "LBO_0001042"),
}
# EFO roles InjectTool sends for the submitter and their organisation.
ROLES = {"submitter": "EFO_0001741"}


def iri(term_id: str) -> str:
    return vocab.term_iri(term_id)


def species(value: str) -> tuple[str, str | None]:
    """The species' canonical name and its NCBITaxon IRI (None when not bundled)."""
    name = vocab.species_name(value) or value
    term = vocab.species_term(name)
    return name, iri(term) if term else None


def taxon_id(value: str) -> int | None:
    term = vocab.species_term(value)
    return int(term.removeprefix("NCBITaxon_")) if term else None


def sex(value: str) -> tuple[str, str | None]:
    known = SEXES.get(vocab.normalise(value))
    return (known[0], iri(known[1])) if known else (value, None)


def general_breed(species_name: str) -> tuple[str, str] | None:
    known = GENERAL_BREEDS.get(species_name)
    return (known[0], iri(known[1])) if known else None


def organism_part(value: str) -> str | None:
    term = vocab.organism_part_term(value)
    return iri(term) if term else None


def developmental_stage(value: str) -> str | None:
    term = terms.developmental_stage_term(value)
    return iri(term) if term else None


def physiological_stage(value: str) -> str | None:
    term = terms.physiological_stage_term(value)
    return iri(term) if term else None


def role(value: str) -> str | None:
    term = ROLES.get(vocab.normalise(value))
    return iri(term) if term else None


def country(value: str) -> str:
    """The country's English name; no NCIT table is bundled, so no IRI."""
    code = vocab.country_code(value)
    return vocab.COUNTRIES[code] if code else value


def accuracy(value: str) -> str:
    return terms.accuracy(value) or value


def time_unit(value: str) -> str:
    return terms.time_unit(value) or value
