"""Species as scientists write them ("Pig", "Cattle", "Sus scrofa"), resolved to their Latin name.

IMAGE's importers resolve a species in four steps (formats.md §0.3): the
exact Latin label; else a synonym of the submission's language (the gene
bank country), compared with every space removed and case kept; else the
same with the default language, United Kingdom; else it is unknown. The
CryoWeb importer skips the first step (`synonyms_only`): there even a Latin
name must be a synonym. Every format resolves species here. The synonyms
are bundled because the site has no synonym table to administer: the
English ones are IMAGE's own, and the others are the common names in the
languages of IMAGE's partner gene banks.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "United Kingdom"

# Latin names the template accepts as they are (IMAGE's species dictionary).
LABELS: frozenset[str] = frozenset(
    {
        "Bos taurus",
        "Sus scrofa",
        "Gallus gallus",
        "Oryctolagus cuniculus",
        "Cervidae",
        "Ovis aries",
        "Anas platyrhynchos",
        "Meleagris gallopavo",
        "Capra hircus",
        "Oncorhynchus mykiss",
        "Anser anser",
        "Equus caballus",
        "Canis lupus familiaris",
        "Crassostrea gigas",
        "Equus asinus",
        "Bubalus bubalis",
    }
)

# Language (a gene bank country) → common name → Latin name.
SYNONYMS: dict[str, dict[str, str]] = {
    DEFAULT_LANGUAGE: {
        "Cattle": "Bos taurus",
        "Chicken": "Gallus gallus",
        "Deer": "Cervidae",
        "Duck (domestic)": "Anas platyrhynchos",
        "Goat": "Capra hircus",
        "Goose (domestic)": "Anser anser",
        "Goose": "Anser anser",
        "Horse": "Equus caballus",
        "Pig": "Sus scrofa",
        "Rabbit": "Oryctolagus cuniculus",
        "Sheep": "Ovis aries",
        "Turkey": "Meleagris gallopavo",
        "Rainbow trout": "Oncorhynchus mykiss",
        "Dog": "Canis lupus familiaris",
    },
    "Italy": {
        "Bovino": "Bos taurus",
        "Suino": "Sus scrofa",
        "Maiale": "Sus scrofa",
        "Ovino": "Ovis aries",
        "Pecora": "Ovis aries",
        "Capra": "Capra hircus",
        "Pollo": "Gallus gallus",
        "Cavallo": "Equus caballus",
        "Coniglio": "Oryctolagus cuniculus",
        "Tacchino": "Meleagris gallopavo",
        "Anatra": "Anas platyrhynchos",
        "Oca": "Anser anser",
        "Cane": "Canis lupus familiaris",
        "Asino": "Equus asinus",
    },
    "France": {
        "Bovin": "Bos taurus",
        "Porc": "Sus scrofa",
        "Porcin": "Sus scrofa",
        "Mouton": "Ovis aries",
        "Ovin": "Ovis aries",
        "Chèvre": "Capra hircus",
        "Caprin": "Capra hircus",
        "Poulet": "Gallus gallus",
        "Cheval": "Equus caballus",
        "Lapin": "Oryctolagus cuniculus",
        "Dinde": "Meleagris gallopavo",
        "Canard": "Anas platyrhynchos",
        "Oie": "Anser anser",
        "Chien": "Canis lupus familiaris",
        "Âne": "Equus asinus",
    },
    "Germany": {
        "Rind": "Bos taurus",
        "Schwein": "Sus scrofa",
        "Schaf": "Ovis aries",
        "Ziege": "Capra hircus",
        "Huhn": "Gallus gallus",
        "Pferd": "Equus caballus",
        "Kaninchen": "Oryctolagus cuniculus",
        "Pute": "Meleagris gallopavo",
        "Ente": "Anas platyrhynchos",
        "Gans": "Anser anser",
        "Hund": "Canis lupus familiaris",
        "Esel": "Equus asinus",
    },
    "Spain": {
        "Bovino": "Bos taurus",
        "Cerdo": "Sus scrofa",
        "Porcino": "Sus scrofa",
        "Oveja": "Ovis aries",
        "Ovino": "Ovis aries",
        "Cabra": "Capra hircus",
        "Pollo": "Gallus gallus",
        "Caballo": "Equus caballus",
        "Conejo": "Oryctolagus cuniculus",
        "Pavo": "Meleagris gallopavo",
        "Pato": "Anas platyrhynchos",
        "Ganso": "Anser anser",
        "Perro": "Canis lupus familiaris",
        "Burro": "Equus asinus",
    },
    "Netherlands": {
        "Rund": "Bos taurus",
        "Varken": "Sus scrofa",
        "Schaap": "Ovis aries",
        "Geit": "Capra hircus",
        "Kip": "Gallus gallus",
        "Paard": "Equus caballus",
        "Konijn": "Oryctolagus cuniculus",
        "Kalkoen": "Meleagris gallopavo",
        "Eend": "Anas platyrhynchos",
        "Gans": "Anser anser",
        "Hond": "Canis lupus familiaris",
        "Ezel": "Equus asinus",
    },
}


def _squeezed(text: str) -> str:
    return "".join(text.split())


# The same tables keyed as they are compared: spaces removed, case kept.
_BY_LANGUAGE: dict[str, dict[str, str]] = {
    language: {_squeezed(word): species for word, species in words.items()} for language, words in SYNONYMS.items()
}


def language_of(gene_bank_country: str) -> str:
    """The synonym language a gene bank country selects: its own if bundled, else United Kingdom."""
    country = gene_bank_country.strip()
    return country if country in SYNONYMS else DEFAULT_LANGUAGE


def resolve_species(value: str, *, language: str = DEFAULT_LANGUAGE, synonyms_only: bool = False) -> str | None:
    """The Latin name `value` stands for, or None when it is no label and no synonym (§0.3).

    `synonyms_only` skips the exact-label step, as the CryoWeb importer does.
    """
    if value in LABELS and not synonyms_only:
        return value
    word = _squeezed(value)
    for words in (_BY_LANGUAGE.get(language, {}), _BY_LANGUAGE[DEFAULT_LANGUAGE]):
        if word in words:
            return words[word]
    return None


def known_names(language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The common names a message can suggest: the language's own, then the English ones."""
    names = list(SYNONYMS.get(language, {})) if language != DEFAULT_LANGUAGE else []
    return names + list(SYNONYMS[DEFAULT_LANGUAGE])
