from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from uid.models import Animal, Sample
from validation.checks import CHECKS
from validation.fields import ANIMAL, FIELDS, SAMPLE, TEXT, UNITS, markdown_table

MODELS = {ANIMAL: Animal, SAMPLE: Sample}


@pytest.mark.parametrize("record_type", [ANIMAL, SAMPLE])
def test_every_field_of_the_table_is_a_model_field_judged_by_its_kind(record_type):
    """A typo in the table would fail every validation; a kind without a check would pass anything."""
    for field in FIELDS[record_type]:
        MODELS[record_type]._meta.get_field(field.name)
        assert field.kind in CHECKS or field.kind in {TEXT, "breed"}, field
    for number, unit in UNITS[record_type].items():
        assert {number, unit} <= {field.name for field in FIELDS[record_type]}


@pytest.mark.parametrize("record_type", [ANIMAL, SAMPLE])
def test_readme_shows_the_field_table_as_the_rules_use_it(record_type):
    """README's "Validation rules" tables are the table itself: regenerate them with `markdown_table`."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert markdown_table(record_type) in readme
