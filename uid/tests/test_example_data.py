from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from uid.example_data import example_rows, example_submission_metadata, write_example_csv
from uid.importer import COLUMNS, import_records
from uid.models import Animal, Submission
from validation.models import ValidationResult
from validation.services import validate_submission

TEMPLATES = Path(settings.BASE_DIR) / "static" / "templates"


def test_committed_example_file_is_what_the_generator_writes(tmp_path):
    """The downloadable example is regenerated, never hand-edited: `write_example_csv(path)` recreates it."""
    generated = tmp_path / "example.csv"
    write_example_csv(generated)

    assert (TEMPLATES / "submission_example.csv").read_bytes() == generated.read_bytes()


def only_absent_recommendations(submission) -> bool:
    """No Error, and every Warning says a recommended attribute is absent (the submission CSV has no column for
    birth location, stages, availability, ...): the example never teaches a wrong value."""
    results = ValidationResult.objects.filter(submission=submission)
    messages = [message for listed in results.values_list("messages", flat=True) for message in listed]
    assert not results.filter(status="Error").exists(), messages[:3]
    wrong = [m for m in messages if m["severity"] != "Warning" or not m["message"].startswith("Recommended field ")]
    assert wrong == []
    return True


def test_template_is_the_header_row_alone():
    """The blank template has exactly the importer's columns and no records."""
    with (TEMPLATES / "submission_template.csv").open(encoding="utf-8", newline="") as template:
        assert list(csv.reader(template)) == [list(COLUMNS)]


def test_generator_is_deterministic_and_sized_as_asked():
    """The same arguments give the same rows; ids are unique and every sample's animal exists."""
    rows = example_rows(animals=40, samples_per_animal=3)

    assert rows == example_rows(animals=40, samples_per_animal=3)
    animals = [row for row in rows if row["record_type"] == "animal"]
    samples = [row for row in rows if row["record_type"] == "sample"]
    assert (len(animals), len(samples)) == (40, 120)
    assert len({row["id"] for row in animals}) == 40
    assert len({row["id"] for row in samples}) == 120
    assert {row["animal_id"] for row in samples} == {row["id"] for row in animals}
    assert any(row["father_id"] and row["mother_id"] for row in animals)


@pytest.mark.django_db
def test_example_file_imports_and_every_record_passes_validation(submission):
    """Following the example gives a clean submission: no errors, and warnings only for what the CSV cannot carry."""
    result = import_records(submission=submission, file=TEMPLATES / "submission_example.csv")
    summary = validate_submission(submission=submission)

    assert (result.animals, result.samples) == (120, 240)
    assert summary == {
        "animals": 120,
        "samples": 240,
        "animal_unkn": 0,
        "sample_unkn": 0,
        "animal_issues": 0,
        "sample_issues": 0,
    }
    assert only_absent_recommendations(submission)
    assert Animal.objects.filter(submission=submission).exclude(father_name="").count() >= 10


@pytest.mark.django_db
def test_bigger_generated_files_pass_validation_too(submission, tmp_path):
    """Generated files of other sizes are just as valid, so benchmarks measure clean data."""
    path = tmp_path / "bigger.csv"
    write_example_csv(path, animals=1000, samples_per_animal=3)

    import_records(submission=submission, file=path)
    summary = validate_submission(submission=submission)

    assert (summary["animals"], summary["samples"]) == (1000, 3000)
    assert only_absent_recommendations(submission)


@pytest.mark.django_db
def test_examples_with_different_prefixes_pass_validation_side_by_side(user, tmp_path):
    """A person's second example file, with its own prefix, is as clean as the first: no duplicate warnings."""
    first = Submission.objects.create(title="Herd 2025", owner=user, **example_submission_metadata())
    second = Submission.objects.create(title="Herd 2026", owner=user, **example_submission_metadata())
    for submission, prefix in ((first, "H25-"), (second, "H26-")):
        path = tmp_path / f"{prefix}example.csv"
        write_example_csv(path, animals=12, samples_per_animal=1, prefix=prefix)
        import_records(submission=submission, file=path)

    summaries = [validate_submission(submission=submission) for submission in (first, second)]

    assert [(s["animal_issues"], s["sample_issues"]) for s in summaries] == [(0, 0), (0, 0)]
    assert all(only_absent_recommendations(submission) for submission in (first, second))
