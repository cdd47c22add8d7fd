"""Database reads for the socket layer, kept synchronous and small.

Consumers and the hub call these through `database_sync_to_async`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from submissions.events import SNAPSHOT, build_frame, encode, status_message
from submissions.models import SubmissionEvent
from submissions_ws.auth import resolve_user
from uid.models import Submission
from validation.helpers import construct_validation_message

# A page further behind than this gets a snapshot instead of a replay.
MAX_REPLAY = 1000
# Submissions per sweep query: keeps the OR of (submission, seq range) terms a size both databases plan well.
RANGES_PER_QUERY = 200


def last_seqs(submission_ids: list[int]) -> dict[int, int]:
    return dict(Submission.objects.filter(pk__in=submission_ids).values_list("pk", "last_seq"))


def event_messages(submission_id: int, *, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Status events after `after` as the layer messages the hub routes."""
    events = SubmissionEvent.objects.filter(submission_id=submission_id, seq__gt=after)
    if upto is not None:
        events = events.filter(seq__lte=upto)
    return [
        status_message(submission_id=submission_id, seq=seq, frame=frame)
        for seq, frame in events.order_by("seq").values_list("seq", "frame")[:MAX_REPLAY]
    ]


def events_in_ranges(ranges: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
    """Status events of many submissions, each after its `after` up to its `upto`, in seq order per submission.

    Each submission contributes at most MAX_REPLAY events per call; the
    hub's next sweep picks up the rest (and a socket fills any gap itself).
    """
    messages: list[dict[str, Any]] = []
    items = list(ranges.items())
    for start in range(0, len(items), RANGES_PER_QUERY):
        chunk = items[start : start + RANGES_PER_QUERY]
        wanted = Q()
        for submission_id, (after, upto) in chunk:
            wanted |= Q(submission_id=submission_id, seq__gt=after, seq__lte=min(upto, after + MAX_REPLAY))
        rows = SubmissionEvent.objects.filter(wanted).order_by("submission_id", "seq")
        messages += [
            status_message(submission_id=submission_id, seq=seq, frame=frame)
            for submission_id, seq, frame in rows.values_list("submission_id", "seq", "frame")
        ]
    return messages


@dataclass(frozen=True, slots=True)
class InitialSync:
    """What a socket sends on (re)connect before it goes live."""

    frames: list[str]
    seq: int


def initial_sync(submission_id: int, since: int | None) -> InitialSync:
    """Replay after `since` when it is usable, else a snapshot.

    Read in one transaction so the snapshot's seq matches its content.
    """
    with transaction.atomic():
        submission = _submission_with_counts(submission_id)
        if submission is None:
            raise Submission.DoesNotExist(f"Submission {submission_id} does not exist.")
        return _sync_from(submission, since)


@dataclass(frozen=True, slots=True)
class OpenedView:
    """A connect that may go ahead: who it is, and what to send first."""

    user: Any
    sync: InitialSync


def open_view(scope: dict[str, Any], submission_id: int, since: int | None) -> OpenedView | None:
    """Everything a connect needs from the database, in one hop.

    Loads the user from the session (see `submissions_ws.auth`), checks that
    they may watch the submission (owner or staff; "not yours" and "does not
    exist" both give None) and reads the replay or snapshot.

    No transaction around it: a snapshot is one statement (the submission
    with its latest event's counts), and a replay's second read stops at the
    `last_seq` the first read saw, whose events were committed with it
    (`submissions.actions.change_status`), so it reads the same rows in a
    transaction or not (under PostgreSQL's READ COMMITTED a transaction gave
    each statement its own snapshot anyway). Its BEGIN and COMMIT were two
    more database round trips per connect (bench/analysis.md, "Connect cost").
    """
    user = resolve_user(scope)
    if not user.is_authenticated or not user.is_active:
        return None
    submission = _submission_with_counts(submission_id)
    if submission is None or not (user.is_staff or submission.owner_id == user.pk):
        return None
    return OpenedView(user=user, sync=_sync_from(submission, since))


# What a connect reads of the submission: `Submission.from_db` defers every other field.
_FIELDS = ("id", "owner_id", "status", "message", "last_seq")


def _submission_with_counts(submission_id: int) -> Submission | None:
    """The submission, with the counts its latest status event carried (`event_counts`), in one query.

    Every status event stores the counts it was published with
    (`submissions.actions.change_status` computes them in the writer's
    transaction), and counts change only with a status event (import,
    validation, an edit, a deletion). A snapshot that reuses them costs one
    indexed row instead of counting every record, so a connect's cost does
    not grow with the submission (bench 7b), and it says what live pages
    were told. Plain SQL: compiling the same ORM query (a join on the latest
    event) cost about 1 ms of CPU per connect, more than running it.
    """
    quote = connection.ops.quote_name
    sub, event = Submission._meta, SubmissionEvent._meta
    columns = ", ".join(f"s.{quote(sub.get_field(name).column)}" for name in _FIELDS)
    sql = (
        f"SELECT {columns}, e.{quote(event.get_field('validation_message').column)} "
        f"FROM {quote(sub.db_table)} s LEFT JOIN {quote(event.db_table)} e "
        f"ON e.{quote(event.get_field('submission').column)} = s.{quote(sub.pk.column)} "
        f"AND e.{quote(event.get_field('seq').column)} = s.{quote(sub.get_field('last_seq').column)} "
        f"WHERE s.{quote(sub.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [submission_id])
        row = cursor.fetchone()
    if row is None:
        return None
    submission = Submission.from_db(connection.alias, list(_FIELDS), row[:-1])
    counts = row[-1]
    if isinstance(counts, str):
        counts = event.get_field("validation_message").from_db_value(counts, None, connection)
    submission.event_counts = counts
    return submission


def _snapshot_counts(submission: Submission) -> dict[str, int] | None:
    """The latest event's counts (None there means nothing to count); counted afresh before any event."""
    if submission.last_seq and hasattr(submission, "event_counts"):
        return submission.event_counts
    return construct_validation_message(submission)


def _sync_from(submission: Submission, since: int | None) -> InitialSync:
    last = submission.last_seq
    if since is not None and 0 <= since <= last and last - since <= MAX_REPLAY:
        # Up to `last` only: under PostgreSQL's READ COMMITTED the events query sees events committed
        # after the submission was read, and sending those here as well as live sent them twice.
        frames = [m["frame"] for m in event_messages(submission.pk, after=since, upto=last)]
        return InitialSync(frames=frames, seq=last)
    frame = build_frame(
        kind=SNAPSHOT,
        submission_id=submission.pk,
        seq=last,
        status=submission.status,
        notification=submission.message,
        validation_message=_snapshot_counts(submission),
        timestamp=timezone.now(),
    )
    return InitialSync(frames=[encode(frame)], seq=last)
