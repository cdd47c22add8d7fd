"""send_message: record in the caller's transaction, publish after commit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import transaction

from common.constants import ERROR, LOADED, NEED_REVISION, WAITING
from submissions import publishing
from submissions.events import Progress, send_message, user_event_message, user_group_name
from submissions.models import SubmissionEvent
from uid.models import Submission


@pytest.fixture
def published(monkeypatch):
    """What send_message hands to the channel layer, in order."""
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: sent.append((pk, message)))
    return sent


def test_events_are_numbered_one_two_three_per_submission(submission, user, published):
    other = Submission.objects.create(title="other", owner=user)
    for status in (WAITING, LOADED, ERROR):
        submission.status = status
        send_message(submission)
    send_message(other)

    assert list(SubmissionEvent.objects.filter(submission=submission).values_list("seq", "status")) == [
        (1, WAITING),
        (2, LOADED),
        (3, ERROR),
    ]
    assert list(SubmissionEvent.objects.filter(submission=other).values_list("seq", flat=True)) == [1]
    submission.refresh_from_db()
    assert submission.last_seq == 3


def test_the_stored_frame_keeps_the_seed_keys_and_adds_the_contract_keys(submission, published):
    submission.status = LOADED
    submission.message = "Loaded 2 animals"
    counts = {"animals": 2, "samples": 0, "animal_unkn": 2, "sample_unkn": 0, "animal_issues": 0, "sample_issues": 0}

    event = send_message(submission, counts)
    frame = json.loads(event.frame)

    assert frame == {
        "type": "status",
        "seq": 1,
        "status": LOADED,
        "message": "Loaded",
        "notification_message": "Loaded 2 animals",
        "validation_message": counts,
        "submission": submission.pk,
        "timestamp": event.created.isoformat(),
    }


@pytest.mark.django_db(transaction=True)
def test_publishes_only_after_the_callers_transaction_commits(submission, published):
    with transaction.atomic():
        send_message(submission)
        assert published == []
    assert [message["seq"] for _, message in published] == [1]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_publishes_nothing_and_leaves_no_gap(submission, published):
    def failing_job() -> None:
        with transaction.atomic():
            send_message(submission)
            raise RuntimeError("job failed")

    with pytest.raises(RuntimeError):
        failing_job()
    send_message(submission)

    assert [message["seq"] for _, message in published] == [1]
    assert list(SubmissionEvent.objects.values_list("seq", flat=True)) == [1]


def test_progress_is_published_at_once_without_touching_the_log(submission, published):
    with transaction.atomic():
        send_message(submission, progress=Progress("import", 10, 40))
        assert len(published) == 1
    message = published[0][1]
    frame = json.loads(message["frame"])

    assert message["kind"] == "progress"
    assert frame["type"] == "progress"
    assert frame["progress"] == {"phase": "import", "done": 10, "total": 40}
    assert SubmissionEvent.objects.count() == 0


def test_the_seed_api_publishes_what_the_caller_saved(submission, published, django_capture_on_commit_callbacks):
    """The snippet's order: set status, save, then send_message with the counts."""
    submission = Submission.objects.get(pk=submission.pk)
    submission.status = WAITING
    submission.save()

    with django_capture_on_commit_callbacks(execute=True):
        send_message(submission, None)

    frame = json.loads(published[0][1]["frame"])
    assert frame["status"] == WAITING
    assert frame["message"] == "Waiting"
    assert frame["validation_message"] is None


def test_group_names_are_per_submission():
    assert publishing.group_name(7) == "submission.7"


def test_the_layer_message_carries_the_owner_and_an_encoded_frame():
    when = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    message = user_event_message(
        user_id=7,
        submission_id=3,
        seq=4,
        title="Goats <2026>",
        status=NEED_REVISION,
        notification="word " * 200,
        timestamp=when,
    )

    frame = json.loads(message.pop("frame"))
    assert message == {"type": "user.event", "user": 7, "submission": 3, "seq": 4}
    assert frame["type"] == "notification"
    assert frame["title"] == "Goats <2026>"
    assert frame["message"] == "Need Revision"
    assert frame["url"] == "/submissions/3/"
    assert frame["timestamp"] == "2026-11-23T22:00:00+00:00"
    assert frame["notification_message"] == "word " * 200
    assert user_group_name(7) == "user.7"
