"""Deleting records by id and resetting to Loaded: all or nothing, only when editing is allowed, always told."""

from __future__ import annotations

import pytest

from common.constants import COMPLETED, LOADED, NEED_REVISION, READY, SUBMITTED, WAITING
from pages.record_actions import RecordActionRefused, delete_records, parse_ids, reset_to_loaded
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample, Submission
from validation.models import ValidationResult, ValidationSummary


@pytest.fixture
def herd(submission):
    """Three animals, two samples of COW1, one of COW2; validated and Ready."""
    Submission.objects.filter(pk=submission.pk).update(status=READY)
    submission.refresh_from_db()
    animals = {name: Animal.objects.create(submission=submission, name=name) for name in ("COW1", "COW2", "COW3")}
    for name, animal in (("S1", "COW1"), ("S2", "COW1"), ("S3", "COW2")):
        Sample.objects.create(submission=submission, name=name, animal=animals[animal], animal_name=animal)
    ValidationSummary.objects.create(submission=submission, record_type="animal", total=3)
    ValidationResult.objects.create(submission=submission, record_type="animal", record_id=1, record_name="COW1")
    return submission


def names(model) -> list[str]:
    return sorted(model.objects.values_list("name", flat=True))


def last_event(submission) -> tuple[int, str]:
    return SubmissionEvent.objects.filter(submission=submission).order_by("-seq").values_list("status", "message")[0]


def test_ids_are_read_from_lines_commas_and_spaces_once_each():
    assert parse_ids("COW1\nCOW2, COW3;COW1\t COW4 \n\n") == ["COW1", "COW2", "COW3", "COW4"]


@pytest.mark.django_db
def test_deleting_samples_removes_them_clears_validation_and_says_so(herd):
    message = delete_records(submission=herd, kind="samples", names=["S1", "S3"])

    assert message == "You've removed 2 samples. Rerun validation please!"
    assert names(Sample) == ["S2"]
    assert last_event(herd) == (LOADED, message)
    assert herd.status == LOADED
    assert not ValidationResult.objects.exists()
    assert not ValidationSummary.objects.exists()


@pytest.mark.django_db
def test_deleting_animals_deletes_their_samples_too_and_counts_them(herd):
    message = delete_records(submission=herd, kind="animals", names=["COW1", "COW3"])

    assert message == "You've removed 2 animals and their 2 samples. Rerun validation please!"
    assert names(Animal) == ["COW2"]
    assert names(Sample) == ["S3"]


@pytest.mark.django_db
def test_one_unknown_id_deletes_nothing_and_names_the_unknown(herd):
    with pytest.raises(RecordActionRefused) as refused:
        delete_records(submission=herd, kind="animals", names=["COW1", "NOPE", "S1"])

    assert str(refused.value) == (
        'No animal with these ids in this submission: "NOPE", "S1". Nothing was deleted; check the ids and try again.'
    )
    assert names(Animal) == ["COW1", "COW2", "COW3"]
    assert Submission.objects.get(pk=herd.pk).status == READY


@pytest.mark.django_db
def test_records_of_another_submission_are_unknown_here(herd, user):
    other = Submission.objects.create(title="Other", owner=user, status=LOADED)
    Animal.objects.create(submission=other, name="GOAT1")

    with pytest.raises(RecordActionRefused, match='"GOAT1"'):
        delete_records(submission=herd, kind="animals", names=["GOAT1"])
    assert Animal.objects.filter(name="GOAT1").exists()


@pytest.mark.django_db
def test_archived_records_cannot_be_deleted(herd):
    Sample.objects.filter(name="S2").update(accession="SAMEA1")

    with pytest.raises(RecordActionRefused, match="already in the archive"):
        delete_records(submission=herd, kind="animals", names=["COW1"])
    with pytest.raises(RecordActionRefused, match='already in the archive and cannot be deleted: "S2"'):
        delete_records(submission=herd, kind="samples", names=["S2"])
    assert names(Sample) == ["S1", "S2", "S3"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (WAITING, "A job is running on this submission, so its records cannot be changed now. Wait until it finishes"),
        (SUBMITTED, "This submission is with the archive, so its records cannot be changed until the archive answers."),
        (COMPLETED, "This submission is Completed: its records are in the archive and cannot be changed."),
    ],
)
def test_nothing_changes_in_statuses_that_do_not_allow_editing(herd, status, reason):
    """The refusal says why this status forbids changes and what to do."""
    Submission.objects.filter(pk=herd.pk).update(status=status)

    with pytest.raises(RecordActionRefused) as deleting:
        delete_records(submission=herd, kind="samples", names=["S1"])
    with pytest.raises(RecordActionRefused) as resetting:
        reset_to_loaded(submission=herd)
    assert deleting.value.args[0].startswith(reason)
    assert resetting.value.args[0].startswith(reason)
    assert names(Sample) == ["S1", "S2", "S3"]
    assert ValidationResult.objects.exists()


@pytest.mark.django_db
def test_reset_clears_validation_and_goes_back_to_loaded(herd):
    Submission.objects.filter(pk=herd.pk).update(status=NEED_REVISION)

    message = reset_to_loaded(submission=herd)

    assert message == "Validation results cleared; the records are as loaded. Rerun validation please!"
    assert last_event(herd) == (LOADED, message)
    assert not ValidationResult.objects.exists()
    assert names(Sample) == ["S1", "S2", "S3"]


@pytest.mark.django_db
def test_reset_without_records_is_refused(submission):
    Submission.objects.filter(pk=submission.pk).update(status=LOADED)

    with pytest.raises(RecordActionRefused, match="no records to reset"):
        reset_to_loaded(submission=submission)
