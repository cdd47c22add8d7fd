from __future__ import annotations

import pytest

from uid.formats.storage_terms import storage_term


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("-80°C", "frozen, -80 degrees Celsius freezer"),
        ("−80 °C", "frozen, -80 degrees Celsius freezer"),
        ("minus 80 C", "frozen, -80 degrees Celsius freezer"),
        ("-20°C", "frozen, -20 degrees Celsius freezer"),
        ("-196 °C", "frozen, liquid nitrogen"),
        ("liquid nitrogen", "frozen, liquid nitrogen"),
        ("LN2", "frozen, liquid nitrogen"),
        ("-150°C", "frozen, vapor phase"),
        ("vapour phase", "frozen, vapor phase"),
        ("room temperature", "ambient temperature"),
        ("20 °C", "ambient temperature"),
        ("RNAlater", "RNAlater, frozen -20 degrees Celsius"),
        ("Frozen, -80 degrees Celsius Freezer", "frozen, -80 degrees Celsius freezer"),
        ("", ""),
    ],
)
def test_temperatures_and_words_map_to_accepted_storage_terms(written, term):
    assert storage_term(written) == term


@pytest.mark.parametrize("written", ["4 °C", "in the fridge", "-10 °C"])
def test_values_no_term_fits_are_kept_as_written(written):
    assert storage_term(written) == written


def test_a_closer_term_added_to_the_vocabulary_is_preferred(monkeypatch):
    from validation import vocabularies

    monkeypatch.setattr(vocabularies, "STORAGE", ("frozen, vapor phase", "frozen, liquid nitrogen"))

    assert storage_term("-196°C") == "frozen, liquid nitrogen"
