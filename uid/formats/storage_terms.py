"""Storage temperatures as biobanks write them, mapped to the storage terms validation accepts.

CRB-Anim exports say how cold a sample is kept ("-80°C", "-196 °C",
"liquid nitrogen"); the archive wants a controlled term ("frozen, liquid
nitrogen"). A value that maps to no accepted term is kept exactly as
written, so validation reports it and the scientist sees what they wrote.
Candidates are checked against the bundled vocabulary at call time, so a
term added there (say "frozen, -80 freezer") is preferred automatically.
"""

from __future__ import annotations

import re

from validation import vocabularies as vocab

_TEMPERATURE = re.compile(r"(?<![\w.])([-−–]|minus\s*)?\s*(\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|degrees?)?\s*c?\b")
# Words that name a way of keeping samples, in the order they are tried.
_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("rnalater",), "RNAlater, frozen -20 degrees Celsius"),
    (("trizol",), "TRIzol, frozen"),
    (("paraffin",), "paraffin block"),
    (("slide",), "cut slide"),
    (("vapour", "vapor"), "frozen, vapor phase"),
    (("liquid nitrogen", "ln2", "azote liquide", "nitrogen"), "frozen, liquid nitrogen"),
    (("ambient", "room temperature"), "ambient temperature"),
    (("freeze dried", "freeze-dried", "lyophilised", "lyophilized"), "freeze dried"),
)


def storage_term(value: str) -> str:
    """The accepted storage term `value` means, or `value` itself when none fits."""
    if not value:
        return ""
    exact = _accepted(value)
    if exact is not None:
        return exact
    text = vocab.normalise(value)
    candidates = [term for words, term in _WORDS if any(word in text for word in words)]
    temperature = _temperature(text)
    if temperature is not None:
        candidates += _by_temperature(temperature)
    for candidate in candidates:
        term = _accepted(candidate)
        if term is not None:
            return term
    return value


def _temperature(text: str) -> float | None:
    match = _TEMPERATURE.search(text)
    if match is None:
        return None
    number = float(match.group(2).replace(",", "."))
    return -number if match.group(1) else number


def _by_temperature(celsius: float) -> list[str]:
    if celsius <= -180:
        return ["frozen, liquid nitrogen"]
    if celsius <= -130:
        return ["frozen, vapor phase"]
    if -100 <= celsius <= -60:
        return ["frozen, -80 degrees Celsius freezer"]
    if -50 <= celsius <= -30:
        return ["frozen, -40 degrees Celsius freezer"]
    if -25 <= celsius <= -15:
        return ["frozen, -20 degrees Celsius freezer"]
    if 15 <= celsius <= 30:
        return ["ambient temperature"]
    return []  # fridges: no accepted term, so validation reports them as written


def _accepted(value: str) -> str | None:
    key = vocab.normalise(value)
    return next((term for term in vocab.STORAGE if vocab.normalise(term) == key), None)
