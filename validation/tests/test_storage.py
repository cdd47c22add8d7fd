from __future__ import annotations

import pytest

from validation.models import MessageList, ValidationResult
from validation.storage import insert_results


@pytest.mark.django_db
def test_rows_are_stored_with_their_messages_and_read_back_as_models(submission):
    """Raw inserts give the same rows the ORM would: JSON messages, accented text intact."""
    messages = [{"message": 'breed "Valdôstana" is not known.', "column": "breed"}]
    insert_results(
        submission_id=submission.pk,
        results=[("animal", 7, "Warning", "COW1", messages), ("sample", 9, "Pass", "S1", [])],
    )

    rows = list(ValidationResult.objects.filter(submission=submission).order_by("record_id"))
    assert [(row.record_type, row.record_id, row.status, row.record_name) for row in rows] == [
        ("animal", 7, "Warning", "COW1"),
        ("sample", 9, "Pass", "S1"),
    ]
    assert rows[0].issues == messages
    assert rows[1].issues == []
    assert (
        ValidationResult.objects.filter(submission=submission, shared_messages__messages__0__column="breed").count()
        == 1
    )


@pytest.mark.django_db
def test_records_with_the_same_issues_share_one_stored_list(submission):
    """The ~9 recommendations every record lacks are written once, not once per record."""
    shared = [{"message": "Recommended field Birth location in organism section could not be found"}]
    other = [{"message": "Mandatory field Sex in organism section could not be found", "column": "Sex"}]
    results = [("animal", pk, "Warning", f"COW{pk}", shared) for pk in range(1, 6)]
    insert_results(submission_id=submission.pk, results=[*results, ("animal", 9, "Error", "COW9", other)])

    assert MessageList.objects.filter(submission=submission).count() == 2
    stored = ValidationResult.objects.filter(submission=submission).select_related("shared_messages")
    assert [row.issues for row in stored.order_by("record_id")] == [shared] * 5 + [other]
