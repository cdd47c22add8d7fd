from __future__ import annotations

import pytest

from validation.models import ValidationResult
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
