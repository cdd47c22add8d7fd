"""change_status: the status saved, the event recorded with fresh counts, published after commit."""

from __future__ import annotations

import json

import pytest

from common.constants import LOADED, NEED_REVISION
from submissions.actions import change_status
from submissions.events import send_message
from submissions.helpers import send_message as seed_send_message
from submissions.models import SubmissionEvent
from uid.models import Animal, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: sent.append(message))
    return sent


def test_the_status_is_saved_and_its_event_carries_the_current_counts(
    submission, published, django_capture_on_commit_callbacks
):
    """The page gets the new status with the records as they are now (one animal, not yet validated)."""
    Animal.objects.create(submission=submission, row=1, name="COW1")

    with django_capture_on_commit_callbacks(execute=True):
        event = change_status(submission=submission, status=LOADED, message="Loaded 1 animal.")

    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.status, stored.message, stored.last_seq) == (LOADED, "Loaded 1 animal.", 1)
    assert event == SubmissionEvent.objects.get(submission=submission, seq=1)
    frame = json.loads(published[0]["frame"])
    assert frame["message"] == "Loaded"
    assert frame["notification_message"] == "Loaded 1 animal."
    assert frame["validation_message"]["animals"] == 1
    assert frame["validation_message"]["animal_unkn"] == 1


def test_nothing_is_published_before_the_callers_transaction_commits(
    submission, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_status(submission=submission, status=NEED_REVISION, message="Edited.")
        assert published == []
    assert len(callbacks) == 1


def test_the_seed_import_path_is_the_same_function():
    """`from submissions.helpers import send_message` (README, the seed snippet) keeps working."""
    assert seed_send_message is send_message
