"""Controlled terms beyond taxonomy and anatomy: accuracy, processing, stages, units, availability.

The closed lists are the IMAGE ruleset's own (validation reads them from the
ruleset file; these copies serve the importers and the archive documents).

Kept apart from `vocabularies` (species, breeds, countries, organism parts,
storage) because these are short, closed lists that come from the IMAGE
sample ruleset the archive applies, not from an ontology browse. Each stage
carries the ontology id the archive expects, so the exported record can
name the term, not only its label. Lookups share `vocabularies.normalise`:
case and repeated spaces never make a value wrong.
"""

from __future__ import annotations

import re

from uid.vocabularies import normalise

# How precisely latitude and longitude locate the animal's birth or the sample's collection.
MISSING_GEO = "missing geographic information"
COUNTRY_LEVEL = "country level"
REGION_LEVEL = "region level"
PRECISE = "precise coordinates"
UNKNOWN_ACCURACY = "unknown accuracy level"
ACCURACY: tuple[str, ...] = (MISSING_GEO, COUNTRY_LEVEL, REGION_LEVEL, PRECISE, UNKNOWN_ACCURACY)
# "exact" is what people write for the IMAGE term "precise coordinates".
ACCURACY_ALIASES: dict[str, str] = {"exact": PRECISE, "precise": PRECISE, "missing": MISSING_GEO}

# Developmental stage → ontology id (UBERON life-cycle stages; "adult" as the IMAGE dictionary has it, EFO).
DEVELOPMENTAL_STAGES: dict[str, str] = {
    "adult": "EFO_0001272",
    "life cycle stage": "UBERON_0000105",
    "zygote stage": "UBERON_0000106",
    "cleavage stage": "UBERON_0000107",
    "blastula stage": "UBERON_0000108",
    "gastrula stage": "UBERON_0000109",
    "neurula stage": "UBERON_0000110",
    "organogenesis stage": "UBERON_0000111",
    "embryo stage": "UBERON_0000068",
    "larval stage": "UBERON_0000069",
    "pupal stage": "UBERON_0000070",
    "post-embryonic stage": "UBERON_0000092",
    "fully formed stage": "UBERON_0000066",
    "sexually immature stage": "UBERON_0000112",
    "juvenile stage": "UBERON_0034919",
    "neonate stage": "UBERON_0007221",
    "post-juvenile adult stage": "UBERON_0000113",
}

# Physiological stage → ontology id (PATO qualities; "mature" as the IMAGE dictionary has it).
PHYSIOLOGICAL_STAGES: dict[str, str] = {
    "mature": "PATO_0001701",
    "immature": "PATO_0001501",
    "juvenile": "PATO_0001190",
    "young": "PATO_0000309",
    "old": "PATO_0000308",
}

# Units of an age or an interval. Singular and plural are both what people write.
TIME_UNITS: tuple[str, ...] = ("minutes", "hours", "days", "weeks", "months", "years")
_TIME_UNIT_FORMS: dict[str, str] = {
    **{unit: unit for unit in TIME_UNITS},
    **{unit.removesuffix("s"): unit for unit in TIME_UNITS},
    "min": "minutes",
    "h": "hours",
    "d": "days",
    "y": "years",
}

_ACCURACY_KEYS: dict[str, str] = {
    **{normalise(term): term for term in ACCURACY},
    **{normalise(alias): term for alias, term in ACCURACY_ALIASES.items()},
}
_DEVELOPMENTAL_KEYS = frozenset(normalise(term) for term in DEVELOPMENTAL_STAGES)
_PHYSIOLOGICAL_KEYS = frozenset(normalise(term) for term in PHYSIOLOGICAL_STAGES)
_STAGE_IDS: dict[str, str] = {
    normalise(term): term_id for term, term_id in (*DEVELOPMENTAL_STAGES.items(), *PHYSIOLOGICAL_STAGES.items())
}
# A deliberately plain address check: the archive only needs something a person can write to.
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s]+\.[^@\s.]+")
_SPACE = re.compile(r"\s")


def accuracy(value: str) -> str | None:
    """The IMAGE accuracy term `value` stands for, or None when it is not one."""
    return _ACCURACY_KEYS.get(normalise(value))


def is_developmental_stage(value: str) -> bool:
    return normalise(value) in _DEVELOPMENTAL_KEYS


def is_physiological_stage(value: str) -> bool:
    return normalise(value) in _PHYSIOLOGICAL_KEYS


def developmental_stage_term(value: str) -> str | None:
    """The ontology id of a developmental stage ("adult" → "EFO_0001272"), or None when it is not one."""
    return _STAGE_IDS.get(normalise(value)) if is_developmental_stage(value) else None


def physiological_stage_term(value: str) -> str | None:
    """The PATO id of a physiological stage ("mature" → "PATO_0001701"), or None when it is not one."""
    return _STAGE_IDS.get(normalise(value)) if is_physiological_stage(value) else None


def time_unit(value: str) -> str | None:
    """The canonical plural time unit for `value` ("day", "Days", "d" → "days"), or None."""
    return _TIME_UNIT_FORMS.get(normalise(value))


def is_availability(value: str) -> bool:
    """An e-mail as "mailto:name@host" or a web page, as BioSamples' availability attribute takes.

    A bare address is refused rather than fixed silently, because the archive
    publishes the value as a link and a bare address is not one.
    """
    if _SPACE.search(value):
        return False
    lowered = value.lower()
    if lowered.startswith("mailto:"):
        return bool(_EMAIL.fullmatch(value[len("mailto:") :]))
    return lowered.startswith(("http://", "https://")) and len(value) > len("https://") + 2
