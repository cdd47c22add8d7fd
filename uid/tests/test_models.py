"""Submission defaults and the guard on the event sequence."""

from __future__ import annotations

from common.constants import LOADED, WAITING
from submissions.helpers import send_message
from uid.models import Submission


def test_a_submission_needs_only_a_title_and_an_owner(user):
    submission = Submission.objects.create(title="x", owner=user)

    assert submission.status == WAITING
    assert submission.message == ""
    assert submission.last_seq == 0
    assert submission.created is not None
    assert str(submission) == "x (Waiting)"
    assert submission.get_absolute_url() == f"/submissions/{submission.pk}/"


def test_saving_a_stale_instance_never_moves_the_event_sequence_back(submission):
    """Another process sends an event between our get() and save(); the seq survives."""
    stale = Submission.objects.get(pk=submission.pk)
    send_message(Submission.objects.get(pk=submission.pk))

    stale.status = LOADED
    stale.save()
    send_message(stale)

    submission.refresh_from_db()
    assert submission.status == LOADED
    assert submission.last_seq == 2
    assert list(submission.events.values_list("seq", flat=True)) == [1, 2]
