"""Species named by their common name, through synonyms in the submission's language (formats.md §0.3).

A synonym is a word in a language (named by a country, as the gene bank
country is) for a species' Latin name. Words are compared with every space
removed, case-sensitively, first in the submission's language and then in
English ("United Kingdom"), which is IMAGE's default table below.
"""

from __future__ import annotations

ENGLISH = "United Kingdom"
# Language (a country's English name) → word → Latin name of the species.
SYNONYMS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "Cattle": "Bos taurus",
        "Chicken": "Gallus gallus",
        "Deer": "Cervidae",
        "Duck (domestic)": "Anas platyrhynchos",
        "Goat": "Capra hircus",
        "Goose (domestic)": "Anser anser",
        "Horse": "Equus caballus",
        "Pig": "Sus scrofa",
        "Rabbit": "Oryctolagus cuniculus",
        "Sheep": "Ovis aries",
        "Turkey": "Meleagris gallopavo",
        "Rainbow trout": "Oncorhynchus mykiss",
        "Goose": "Anser anser",
        "Dog": "Canis lupus familiaris",
    },
}


def _key(word: str) -> str:
    return "".join(word.split())


def species_for(word: str, *, language: str) -> str | None:
    """The Latin name that `word` stands for in `language` (or in English), or None if it has no synonym."""
    key = _key(word)
    for table in (language, ENGLISH):
        for synonym, species in SYNONYMS.get(table, {}).items():
            if _key(synonym) == key:
                return species
    return None
