"""Who sees which submission, and the state the detail page opens with."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from common.constants import LOADED, READY, WAITING
from submissions import selectors
from submissions.models import SubmissionEvent
from uid.models import Animal, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)


def add_event(submission: Submission, seq: int, status: int, message: str, counts: dict | None = None) -> None:
    SubmissionEvent.objects.create(
        submission=submission,
        seq=seq,
        status=status,
        message=message,
        validation_message=counts,
        frame="{}",
        created=timezone.now() + timedelta(seconds=seq),
    )


def test_a_user_sees_only_their_own_submissions(alice, bob):
    """Alice's list holds her submissions and none of Bob's."""
    mine = Submission.objects.create(title="mine", owner=alice)
    Submission.objects.create(title="bobs", owner=bob)

    assert list(selectors.visible_submissions(alice)) == [mine]


def test_staff_see_every_submission(alice, bob, staff):
    """Staff review everyone's submissions."""
    Submission.objects.create(title="a", owner=alice)
    Submission.objects.create(title="b", owner=bob)

    assert {s.title for s in selectors.visible_submissions(staff)} == {"a", "b"}


def test_anonymous_and_inactive_users_see_nothing(alice):
    """No session, or a deactivated account, shows no submission at all."""
    Submission.objects.create(title="a", owner=alice)
    alice.is_active = False
    alice.save()

    assert not selectors.visible_submissions(AnonymousUser()).exists()
    assert not selectors.visible_submissions(alice).exists()


def test_another_users_submission_is_not_found(alice, bob):
    """Someone else's submission is a 404, indistinguishable from a missing one."""
    bobs = Submission.objects.create(title="b", owner=bob)

    with pytest.raises(Http404):
        selectors.get_visible_submission(alice, bobs.pk)
    with pytest.raises(Http404):
        selectors.get_visible_submission(alice, 999_999)


def test_staff_get_any_submission(bob, staff):
    """Staff open someone else's submission."""
    bobs = Submission.objects.create(title="b", owner=bob)

    assert selectors.get_visible_submission(staff, bobs.pk) == bobs


def test_page_state_carries_the_live_client_contract(alice):
    """The state has pk, last seq, status and the socket path; the tables come once per page."""
    submission = Submission.objects.create(title="a", owner=alice, status=READY, last_seq=7)

    state = selectors.page_state(submission)

    assert state["submission"] == submission.pk
    assert state["seq"] == 7
    assert state["status"] == READY
    assert state["ws_path"] == f"/ws/submissions/{submission.pk}/"


def test_timeline_is_newest_first_and_stops_at_the_rendered_seq(alice):
    """Events past `last_seq` are left to the socket, so none shows twice."""
    submission = Submission.objects.create(title="a", owner=alice, last_seq=2)
    add_event(submission, 1, WAITING, "Importing")
    add_event(submission, 2, LOADED, "Imported 3 records")
    add_event(submission, 3, WAITING, "Validating")  # committed after the row was read

    entries = selectors.timeline(submission)

    assert [(e.seq, e.status_name, e.message) for e in entries] == [
        (2, "Loaded", "Imported 3 records"),
        (1, "Waiting", "Importing"),
    ]
    assert entries[0].colour == "primary"


def test_timeline_keeps_the_latest_entries_only(alice):
    """A long history shows its most recent `limit` events."""
    submission = Submission.objects.create(title="a", owner=alice, last_seq=5)
    for seq in range(1, 6):
        add_event(submission, seq, LOADED, f"event {seq}")

    assert [e.seq for e in selectors.timeline(submission, limit=2)] == [5, 4]


def test_counts_come_from_the_latest_validation_message(alice):
    """The page opens with the numbers the live client last showed."""
    submission = Submission.objects.create(title="a", owner=alice, last_seq=3)
    old = {"animals": 1, "samples": 1, "animal_issues": 1, "sample_issues": 1, "animal_unkn": 0, "sample_unkn": 0}
    new = {"animals": 4, "samples": 9, "animal_issues": 2, "sample_issues": 3, "animal_unkn": 0, "sample_unkn": 1}
    add_event(submission, 1, LOADED, "", old)
    add_event(submission, 2, READY, "", new)
    add_event(submission, 3, WAITING, "", None)

    assert selectors.validation_counts(submission, animals=0, samples=0) == new


def test_counts_before_validation_show_record_totals_and_unknown_issues(alice):
    """Without a validation message the issue counts are unknown, not zero."""
    submission = Submission.objects.create(title="a", owner=alice)
    Animal.objects.create(submission=submission, name="A1")

    context = selectors.detail_context(submission)

    values = {row.element_id: row.value for row in context["count_rows"]}
    assert values["count-animals"] == 1
    assert values["count-samples"] == 0
    assert values["count-animal-issues"] is None
    assert values["count-sample-unkn"] is None


def test_progress_shows_only_while_a_job_runs(alice):
    """Waiting means a job runs; any other status hides the bar."""
    running = Submission.objects.create(title="a", owner=alice, status=WAITING, job_phase="validation")
    idle = Submission.objects.create(title="b", owner=alice, status=LOADED)

    assert selectors.initial_progress(running).visible
    assert selectors.initial_progress(running).label == "validation: starting…"
    assert not selectors.initial_progress(idle).visible
