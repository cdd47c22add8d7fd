from __future__ import annotations

import pytest

from uid.formats.storage_terms import storage_term


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("-80°C", "frozen, -70 freezer"),
        ("−80 °C", "frozen, -70 freezer"),
        ("minus 80 C", "frozen, -70 freezer"),
        ("-196 °C", "frozen, liquid nitrogen"),
        ("liquid nitrogen", "frozen, liquid nitrogen"),
        ("LN2", "frozen, liquid nitrogen"),
        ("-150°C", "frozen, -150 freezer"),
        ("vapour phase", "frozen, vapor phase"),
        ("room temperature", "ambient temperature"),
        ("20 °C", "ambient temperature"),
        ("RNAlater", "RNAlater, frozen"),
        ("Frozen, -70 Freezer", "frozen, -70 freezer"),
        ("", ""),
    ],
)
def test_temperatures_and_words_map_to_accepted_storage_terms(written, term):
    assert storage_term(written) == term


@pytest.mark.parametrize("written", ["frozen, -20", "-20°C", "4 °C", "in the fridge"])
def test_values_no_term_fits_are_kept_as_written(written):
    assert storage_term(written) == written


def test_a_closer_term_added_to_the_vocabulary_is_preferred(monkeypatch):
    from validation import vocabularies

    monkeypatch.setattr(vocabularies, "STORAGE", (*vocabularies.STORAGE, "frozen, -80 freezer"))

    assert storage_term("-80°C") == "frozen, -80 freezer"
