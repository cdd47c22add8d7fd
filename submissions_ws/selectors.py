"""Database reads for the socket layer, kept synchronous and small.

Consumers and the hub call these through `database_sync_to_async`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from submissions.events import status_message
from submissions.frames import SNAPSHOT, build_frame, encode
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
        return _sync_from(Submission.objects.get(pk=submission_id), since)


@dataclass(frozen=True, slots=True)
class OpenedView:
    """A connect that may go ahead: who it is, and what to send first."""

    user: Any
    sync: InitialSync


def open_view(scope: dict[str, Any], submission_id: int, since: int | None) -> OpenedView | None:
    """Everything a connect needs from the database, in one hop and one transaction.

    Loads the user from the session (see `submissions_ws.auth`), checks that
    they may watch the submission (owner or staff; "not yours" and "does not
    exist" both give None) and reads the replay or snapshot.
    """
    user = resolve_user(scope)
    if not user.is_authenticated or not user.is_active:
        return None
    with transaction.atomic():
        submission = Submission.objects.filter(pk=submission_id).first()
        if submission is None or not (user.is_staff or submission.owner_id == user.pk):
            return None
        return OpenedView(user=user, sync=_sync_from(submission, since))


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
        validation_message=construct_validation_message(submission),
        timestamp=timezone.now(),
    )
    return InitialSync(frames=[encode(frame)], seq=last)
