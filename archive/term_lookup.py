"""What the archive documents take from validation's one mapping of IMAGE attributes.

The documents carry what the IMAGE ruleset checks, so the attribute names,
which field feeds each of them, the submission-level attributes and the
ontology IRIs all come from the validation app's public lookups
(`validation.attributes`, `validation.selectors`, `validation.ontology`),
not from a second table here. This is the only module of `archive` that
reads validation, so a new validation engine only has to keep these few
names, or this module changes alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from uid import vocabularies as vocab
from uid.models import Submission
from validation import attributes, terms
from validation.ontology import attribute_term_iri
from validation.selectors import submission_attributes

ANIMAL = attributes.ANIMAL
SAMPLE = attributes.SAMPLE
MATERIALS = attributes.MATERIALS
# Sex as written → IMAGE's label for it (InjectTool's "unknown" is the ontology's "record of unknown sex").
SEX_LABELS = {
    "male": "male",
    "female": "female",
    "unknown": "record of unknown sex",
    "record of unknown sex": "record of unknown sex",
}
COUNTRY_ATTRIBUTES = frozenset({"Gene bank country", "Organization country", "EFABIS Breed country"})


def term_iri(attribute: str, text: str) -> str | None:
    """The IRI of `text` as a value of the IMAGE `attribute`, None when it is no bundled term of it."""
    return attribute_term_iri(attribute, text) if text else None


def record_text(record_type: str, attribute: str, record: Any) -> str:
    """The text validation reads for `attribute` of a stored Animal or Sample (its fallbacks included)."""
    fields: Mapping[str, Any] = vars(record)
    return str(attributes.record_value(record_type, attribute, fields) or "").strip()


def submission_texts(submission: Submission) -> dict[str, list[str]]:
    """The submission-level attributes exactly as validation judges them (people, gene bank, data source)."""
    return submission_attributes(submission=submission)


def split_values(text: str) -> list[str]:
    return attributes.split_values(text)


def species(value: str) -> tuple[str, str | None]:
    """The species' canonical name and its NCBITaxon IRI (None when not bundled)."""
    name = vocab.species_name(value) or value
    return name, term_iri("Species", name)


def taxon_id(value: str) -> int | None:
    term = vocab.species_term(value)
    return int(term.removeprefix("NCBITaxon_")) if term else None


def sex(value: str) -> tuple[str, str | None]:
    label = SEX_LABELS.get(vocab.normalise(value))
    return (label, term_iri("Sex", label)) if label else (value, None)


def general_breed(species_name: str) -> tuple[str, str | None] | None:
    """The Mapped breed validation judges: the species' general breed (no LBO mapping is stored)."""
    label = attributes.mapped_breed(species_name)
    return (label, term_iri("Mapped breed", label)) if label else None


def country(value: str) -> str:
    """The country's English name, as IMAGE sends it."""
    code = vocab.country_code(value)
    return vocab.COUNTRIES[code] if code else value


def accuracy(value: str) -> str:
    return terms.accuracy(value) or value


def time_unit(value: str) -> str:
    return terms.time_unit(value) or value
