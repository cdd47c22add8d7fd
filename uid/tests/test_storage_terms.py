"""CRB-Anim storage temperatures become IMAGE storage terms exactly as the spec's table says."""

from __future__ import annotations

import pytest

from uid.formats.storage_terms import storage_term


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("-196°C", "frozen, liquid nitrogen"),
        ("-20°C", "frozen, -20 degrees Celsius freezer"),
        ("-30°C", "frozen, -20 degrees Celsius freezer"),
        ("-80°C", "frozen, -80 degrees Celsius freezer"),
    ],
)
def test_the_spec_table_maps_each_temperature_to_its_storage_term(written, term):
    assert storage_term(written) == term


@pytest.mark.parametrize("written", ["-80 °C", "liquid nitrogen", "4°C", "", "frozen, -80 degrees Celsius freezer"])
def test_other_values_are_kept_as_written_for_validation_to_report(written):
    assert storage_term(written) == written
