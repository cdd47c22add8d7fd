from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.helpers import send_message
from submissions_ws import selectors
from uid.models import Submission


def log_events(submission: Submission, count: int) -> None:
    for number in range(count):
        submission.message = f"event {number + 1}"
        send_message(submission)


def test_events_in_ranges_reads_each_submissions_own_window_in_seq_order(user):
    first = Submission.objects.create(title="first", owner=user)
    second = Submission.objects.create(title="second", owner=user)
    log_events(first, 5)
    log_events(second, 3)

    messages = selectors.events_in_ranges({first.pk: (1, 4), second.pk: (0, 2)})

    assert [(m["submission"], m["seq"]) for m in messages] == [
        (first.pk, 2),
        (first.pk, 3),
        (first.pk, 4),
        (second.pk, 1),
        (second.pk, 2),
    ]
    assert json.loads(messages[0]["frame"])["notification_message"] == "event 2"


def test_events_in_ranges_spans_several_queries_when_many_submissions_are_behind(user, monkeypatch):
    monkeypatch.setattr(selectors, "RANGES_PER_QUERY", 2)
    submissions = [Submission.objects.create(title=f"s{n}", owner=user) for n in range(5)]
    for submission in submissions:
        log_events(submission, 2)

    messages = selectors.events_in_ranges({s.pk: (0, 2) for s in submissions})

    assert sorted((m["submission"], m["seq"]) for m in messages) == sorted(
        (s.pk, seq) for s in submissions for seq in (1, 2)
    )


def test_a_replay_stops_at_the_seq_it_announces(user):
    """The events query may see events committed after the submission row was read (READ COMMITTED).

    The replay must stop at the `last_seq` it read, or the socket, which goes live from that seq,
    sends the newer events a second time.
    """
    submission = Submission.objects.create(title="racing", owner=user)
    log_events(submission, 2)
    read_before_the_third = Submission.objects.get(pk=submission.pk)
    log_events(submission, 1)

    sync = selectors._sync_from(read_before_the_third, since=0)

    assert sync.seq == 2
    assert [json.loads(frame)["seq"] for frame in sync.frames] == [1, 2]


def snapshot_counts(submission: Submission) -> dict | None:
    return json.loads(selectors.initial_sync(submission.pk, None).frames[0])["validation_message"]


def test_a_snapshot_carries_the_counts_of_the_latest_status_event_without_counting_records(user):
    """Counts change only with a status event, which stores them: a connect reads one row, however many records."""
    from submissions.actions import change_status
    from uid.models import Animal

    submission = Submission.objects.create(title="counted", owner=user)
    Animal.objects.bulk_create(Animal(submission=submission, name=f"a{n}") for n in range(3))
    change_status(submission=submission, status=submission.status, message="Loaded 3 animals")
    # Rows written behind the log's back (no status event) are not counted: the snapshot says what pages were told.
    Animal.objects.create(submission=submission, name="unannounced")

    with CaptureQueriesContext(connection) as queries:
        counts = snapshot_counts(submission)

    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1
    assert Animal._meta.db_table not in selects[0]
    assert counts["animals"] == 3
    assert counts["animal_unkn"] == 3


def test_a_submission_without_any_status_event_is_counted_afresh(user):
    from uid.models import Animal

    submission = Submission.objects.create(title="never announced", owner=user)
    Animal.objects.create(submission=submission, name="a")

    assert snapshot_counts(submission)["animals"] == 1


def test_an_event_without_counts_gives_a_snapshot_without_counts(user):
    submission = Submission.objects.create(title="empty", owner=user)
    log_events(submission, 1)

    assert snapshot_counts(submission) is None
