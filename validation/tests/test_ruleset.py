"""The ruleset file is data: loading it, refusing a broken one, and a new version changing validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from validation.ruleset import DEFAULT_PATH, RulesetError, current_ruleset, parse_ruleset
from validation.services import validate_submission
from validation.tests.test_services import GOOD_COW, GOOD_SAMPLE, errors, load, of_column


def shipped() -> dict:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_shipped_file_is_images_ruleset_with_three_groups_selected_by_material():
    ruleset = current_ruleset()

    assert ruleset.name == "IMAGE sample metadata rules"
    assert [group.name for group in ruleset.groups_for("organism")] == ["standard", "organism"]
    assert [group.name for group in ruleset.groups_for("specimen from organism")] == [
        "standard",
        "specimen from organism",
    ]
    assert [group.name for group in ruleset.groups_for("anything else")] == ["standard"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda rules: rules[0].pop("Type"), "lacks Type"),
        (lambda rules: rules.append(dict(rules[0])), "appears twice"),
        (lambda rules: rules[0].update({"Valid values": ["x"]}), "has Valid values"),
        (lambda rules: rules[3].pop("Valid values"), "without Valid values"),
    ],
)
def test_a_broken_ruleset_is_refused_with_the_reason(change, error):
    data = shipped()
    change(data["rule_groups"][0]["rules"])

    with pytest.raises(RulesetError, match=error):
        parse_ruleset(data)


@pytest.fixture
def edited_ruleset(tmp_path: Path, settings):
    """A copy of the shipped file, edited by the test, that VALIDATION_RULESET_PATH points at."""
    path = tmp_path / "IMAGE_sample_ruleset_next.json"

    def write(edit) -> None:
        data = shipped()
        edit({group["name"]: {rule["Name"]: rule for rule in group["rules"]} for group in data["rule_groups"]})
        path.write_text(json.dumps(data), encoding="utf-8")
        settings.VALIDATION_RULESET_PATH = str(path)

    return write


@pytest.mark.django_db
def test_a_new_ruleset_file_changes_validation_without_code_changes(submission, edited_ruleset):
    """A new IMAGE version makes Birth date mandatory and adds "fresh" to storage: validation follows."""
    load(submission, [GOOD_COW | {"birth_date": ""}, GOOD_SAMPLE | {"storage": "fresh"}])
    validate_submission(submission=submission)
    assert of_column("COW1", "Birth date")[0]["severity"] == "Warning"
    assert [message["column"] for message in errors("S1")] == ["Sample storage"]

    def edit(groups):
        groups["organism"]["Birth date"]["Required"] = "mandatory"
        groups["specimen from organism"]["Sample storage"]["Valid values"].append("fresh")

    edited_ruleset(edit)
    validate_submission(submission=submission)

    assert of_column("COW1", "Birth date") == [
        {
            "column": "Birth date",
            "message": "Mandatory field Birth date in organism section could not be found",
            "severity": "Error",
        }
    ]
    assert errors("S1") == []
