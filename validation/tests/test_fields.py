"""The field table the edit form and the report show comes from the ruleset, and the README shows it too."""

from __future__ import annotations

from pathlib import Path

from validation.fields import FIELDS, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tables_equal_the_ruleset_field_tables():
    text = README.read_text(encoding="utf-8")

    assert markdown_table("animal") in text
    assert markdown_table("sample") in text


def test_levels_are_the_ruleset_requirements():
    animal = {field.column: field.level for field in FIELDS["animal"]}
    sample = {field.column: field.level for field in FIELDS["sample"]}

    assert (animal["Sex"], animal["Birth date"], animal["Birth location accuracy"]) == (
        "mandatory",
        "recommended",
        "mandatory",
    )
    assert (sample["Sample storage"], sample["Animal age at collection"]) == ("recommended", "optional")
