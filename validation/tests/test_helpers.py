from __future__ import annotations

import pytest

from uid.models import Animal, Sample
from validation.helpers import construct_validation_message
from validation.services import validate_submission


def add_animal(submission, name: str, **values: str) -> Animal:
    fields = {"species": "Ovis aries", "breed": "Texel", "sex": "male", "birth_date": "2018", "birth_country": "IE"}
    return Animal.objects.create(submission=submission, name=name, alternative_id=f"EAR-{name}", **(fields | values))


def add_sample(submission, name: str, animal: Animal, **values: str) -> Sample:
    fields = {
        "collection_date": "2020-02-02",
        "organism_part": "hair",
        "storage": "frozen, liquid nitrogen",
        "protocol_url": "https://example.org/hair.pdf",
    }
    return Sample.objects.create(
        submission=submission,
        name=name,
        alternative_id=f"TUBE-{name}",
        animal=animal,
        animal_name=animal.name,
        **(fields | values),
    )


@pytest.mark.django_db
def test_before_the_first_validation_the_imported_records_count_as_not_yet_validated(submission):
    """Right after an import the page shows the imported counts, all not yet validated, instead of "–"."""
    assert construct_validation_message(submission) is None  # nothing imported, nothing to count
    ram = add_animal(submission, "RAM1")
    add_sample(submission, "S1", ram)

    assert construct_validation_message(submission) == {
        "animals": 1,
        "samples": 1,
        "animal_unkn": 1,
        "sample_unkn": 1,
        "animal_issues": 0,
        "sample_issues": 0,
    }


@pytest.mark.django_db
def test_message_counts_records_unvalidated_records_and_records_with_errors(submission):
    """After validation: current totals, records added since (unknown), and records in Error."""
    ram = add_animal(submission, "RAM1")
    add_animal(submission, "EWE1", sex="ewe")
    add_animal(submission, "RAM2", birth_date="")  # only a warning, not an issue
    add_sample(submission, "S1", ram)
    add_sample(submission, "S2", ram, storage="fresh")  # not an IMAGE storage term: an Error
    validate_submission(submission=submission)
    add_animal(submission, "RAM3")
    add_sample(submission, "S3", ram)
    add_sample(submission, "S4", ram)

    assert construct_validation_message(submission) == {
        "animals": 4,
        "samples": 4,
        "animal_unkn": 1,
        "sample_unkn": 2,
        "animal_issues": 1,
        "sample_issues": 1,
    }


@pytest.mark.django_db
def test_deleted_records_no_longer_count(submission):
    """A record removed after validation drops out of the totals and the issue counts."""
    add_animal(submission, "RAM1")
    bad = add_animal(submission, "EWE1", sex="ewe")
    validate_submission(submission=submission)
    bad.delete()

    assert construct_validation_message(submission) == {
        "animals": 1,
        "samples": 0,
        "animal_unkn": 0,
        "sample_unkn": 0,
        "animal_issues": 0,
        "sample_issues": 0,
    }


@pytest.mark.django_db
def test_message_takes_two_queries(submission, django_assert_num_queries):
    """It runs with every status message, so its cost does not depend on the number of records."""
    for index in range(50):
        add_animal(submission, f"RAM{index}")
    validate_submission(submission=submission)

    with django_assert_num_queries(2):
        construct_validation_message(submission)


@pytest.mark.django_db
def test_records_edited_since_validation_count_as_unknown_not_as_issues(submission):
    """A result marked Need Revision by an edit is neither checked nor an error any more."""
    from validation.models import EDITED, ValidationResult

    add_animal(submission, "EWE1", sex="ewe")
    validate_submission(submission=submission)
    assert construct_validation_message(submission)["animal_issues"] == 1

    ValidationResult.objects.filter(submission=submission).update(status=EDITED)

    message = construct_validation_message(submission)
    assert (message["animal_unkn"], message["animal_issues"]) == (1, 0)
