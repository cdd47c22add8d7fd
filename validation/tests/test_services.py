from __future__ import annotations

import csv
import io

import pytest

from uid.example_data import example_submission_metadata, write_example_csv
from uid.importer import COLUMNS, import_records
from uid.models import Animal, Record, Sample, Submission
from validation.models import MessageList, ValidationResult, ValidationSummary
from validation.services import validate_submission


def load(submission, rows: list[dict[str, str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([row.get(column, "") for column in COLUMNS] for row in rows)
    import_records(submission=submission, file=io.BytesIO(text.getvalue().encode()))


GOOD_COW = {
    "record_type": "animal",
    "id": "COW1",
    "alternative_id": "EAR1",
    "species": "Bos taurus",
    "breed": "Jersey",
    "sex": "female",
    "birth_date": "2019-01-02",
    "birth_country": "FR",
}
GOOD_SAMPLE = {
    "record_type": "sample",
    "id": "S1",
    "alternative_id": "TUBE1",
    "animal_id": "COW1",
    "collection_date": "2020-01-02",
    "organism_part": "liver",
    "storage": "frozen, -80 degrees Celsius freezer",
    "protocol_url": "https://example.org/liver.pdf",
}


def result(name: str) -> ValidationResult:
    return ValidationResult.objects.get(record_name=name)


def errors(name: str) -> list[dict[str, str]]:
    return [message for message in result(name).issues if message["severity"] == Record.ERROR]


def of_column(name: str, column: str) -> list[dict[str, str]]:
    return [message for message in result(name).issues if message["column"] == column]


@pytest.mark.django_db
def test_results_and_summaries_record_each_verdict_and_its_messages(submission):
    """Each record gets its worst severity and all its messages; summaries count them per type."""
    load(
        submission,
        [
            GOOD_COW,
            GOOD_COW | {"id": "COW2", "alternative_id": "EAR2", "birth_date": ""},
            GOOD_COW | {"id": "COW3", "alternative_id": "EAR3", "sex": "cow"},
            GOOD_SAMPLE,
            GOOD_SAMPLE | {"id": "S2", "alternative_id": "TUBE2", "animal_id": "COW9", "storage": ""},
        ],
    )

    summary = validate_submission(submission=submission)

    assert summary == {
        "animals": 3,
        "samples": 2,
        "animal_unkn": 0,
        "sample_unkn": 0,
        "animal_issues": 1,
        "sample_issues": 1,
    }
    # The submission CSV has no birth location or stages: recommended, so Warnings, never Errors.
    assert (result("COW1").status, errors("COW1")) == (Record.WARNING, [])
    assert result("COW2").status == Record.WARNING
    assert of_column("COW2", "Birth date") == [
        {
            "message": "Recommended field Birth date in organism section could not be found",
            "column": "Birth date",
            "severity": "Warning",
        }
    ]
    assert result("COW3").status == Record.ERROR
    assert [message["column"] for message in errors("COW3")] == ["Sex"]
    assert result("S2").status == Record.ERROR
    assert [message["column"] for message in errors("S2")] == ["Species", "Derived from"]
    assert of_column("S2", "Sample storage")[0]["severity"] == "Warning"
    assert result("S1").record_id == Sample.objects.get(name="S1").pk
    counts = {
        s.record_type: (s.total, s.passed, s.warnings, s.errors)
        for s in ValidationSummary.objects.filter(submission=submission)
    }
    assert counts == {"animal": (3, 0, 2, 1), "sample": (2, 0, 1, 1)}


@pytest.mark.django_db
def test_validating_again_replaces_the_previous_results(submission):
    """A second run leaves one result per record, reflecting the data as it is now."""
    load(submission, [GOOD_COW | {"sex": "cow"}])
    validate_submission(submission=submission)
    Animal.objects.filter(submission=submission).update(sex="female")

    summary = validate_submission(submission=submission)

    assert summary["animal_issues"] == 0
    assert list(ValidationResult.objects.filter(submission=submission).values_list("status", flat=True)) == ["Warning"]
    assert ValidationSummary.objects.filter(submission=submission).count() == 2
    # The first run's message list (with the sex Error) went with its results.
    lists = MessageList.objects.filter(submission=submission).values_list("messages", flat=True)
    assert [[issue["severity"] for issue in messages] for messages in lists] == [["Warning"] * len(lists[0])]


@pytest.mark.django_db
def test_other_submissions_are_left_alone(submission, user):
    """Validating one submission neither reads nor replaces another's records or results."""
    other = submission.__class__.objects.create(title="Other", owner=user, **example_submission_metadata())
    load(other, [GOOD_COW | {"id": "COW9", "sex": "cow"}])
    validate_submission(submission=other)
    load(submission, [GOOD_COW])

    assert validate_submission(submission=submission)["animal_issues"] == 0
    assert ValidationResult.objects.get(submission=other).status == Record.ERROR


@pytest.mark.django_db
def test_empty_submission_validates_to_zero_counts(submission):
    """With no records the counts are all zero, not missing."""
    assert validate_submission(submission=submission) == dict.fromkeys(
        ("animals", "samples", "animal_unkn", "sample_unkn", "animal_issues", "sample_issues"), 0
    )


@pytest.mark.django_db
def test_progress_is_reported_every_stride_and_ends_at_the_total(submission, monkeypatch):
    """The page's progress bar moves during the checks and ends at exactly the number of records."""
    monkeypatch.setattr("validation.services.PROGRESS_STRIDE", 2)
    load(submission, [GOOD_COW, GOOD_SAMPLE, GOOD_SAMPLE | {"id": "S2"}, GOOD_SAMPLE | {"id": "S3"}])
    reports = []

    validate_submission(submission=submission, progress=lambda done, total: reports.append((done, total)))

    assert reports == [(2, 4), (4, 4), (4, 4)]


@pytest.mark.django_db
def test_records_are_read_and_written_in_bulk(submission, tmp_path, django_assert_max_num_queries):
    """600 records take a handful of queries, not one or more per record."""
    path = tmp_path / "records.csv"
    write_example_csv(path, animals=200, samples_per_animal=2)
    import_records(submission=submission, file=path)

    with django_assert_max_num_queries(20):
        validate_submission(submission=submission)

    assert ValidationResult.objects.filter(submission=submission).count() == 600


@pytest.mark.django_db
def test_thousands_of_records_validate_over_several_write_batches(submission, tmp_path):
    """Every record gets exactly one result, across batches, and the example data passes."""
    path = tmp_path / "big.csv"
    write_example_csv(path, animals=1_500, samples_per_animal=2)
    import_records(submission=submission, file=path)

    summary = validate_submission(submission=submission)

    assert (summary["animals"], summary["samples"], summary["animal_issues"], summary["sample_issues"]) == (
        1_500,
        3_000,
        0,
        0,
    )
    assert ValidationResult.objects.filter(submission=submission).count() == 4_500


@pytest.mark.django_db
def test_a_sample_of_an_animal_kept_in_another_submission_is_an_error_naming_it(submission, user):
    """The animal exists in the owner's earlier submission: the report says where, not just "not found"."""
    earlier = submission.__class__.objects.create(title="Herd 2024", owner=user)
    load(earlier, [GOOD_COW | {"id": "COW9", "alternative_id": "EAR9"}])
    load(submission, [GOOD_COW, GOOD_SAMPLE | {"animal_id": "COW9"}])

    assert validate_submission(submission=submission)["sample_issues"] == 1
    assert of_column("S1", "Derived from") == [
        {
            "column": "Derived from",
            "message": 'Could not locate the referenced record COW9: it is an animal of submission "Herd 2024", not '
            "of this one. Add the animal to this submission, or move the sample to that one",
            "severity": "Error",
        }
    ]


@pytest.mark.django_db
def test_import_conflicts_are_errors_on_their_record(submission):
    """Each conflict the importer recorded is an Error on that record, in column import."""
    load(submission, [GOOD_COW])
    Animal.objects.filter(name="COW1").update(import_conflicts=["sex is Female on row 2 but Male on row 5"])

    assert validate_submission(submission=submission)["animal_issues"] == 1
    assert of_column("COW1", "import") == [
        {"column": "import", "message": "sex is Female on row 2 but Male on row 5", "severity": "Error"}
    ]


@pytest.mark.django_db
def test_a_submission_without_gene_bank_or_contact_fails_every_record(user):
    """The submission-level attributes are mandatory for every record; the owner stands in for the person.

    Without a contact row the owner is the person, a submitter for the gene bank: with no gene bank
    either, the gene bank, the person's affiliation and the organisation are missing.
    """
    bare = Submission.objects.create(title="Bare", owner=user)
    load(bare, [GOOD_COW])

    validate_submission(submission=bare)

    columns = [message["column"] for message in errors("COW1")]
    assert {"Gene bank name", "Gene bank country", "Person affiliation", "Organization name"} <= set(columns)
    assert "Person role" not in columns
    assert "Project" not in columns  # IMAGE unless the submission says otherwise
