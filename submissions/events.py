"""The one way to tell pages about a submission: `send_message`, and the frames and layer messages it publishes.

It records a status event in the submission's event log, in the caller's
transaction, and publishes it only after that transaction commits (as Zulip's
`send_event_on_commit` does). A rolled-back transaction publishes nothing,
and a page that connects later still finds the event in the log.

Everything an event becomes is built here, once: the submission socket's
frame (`build_frame`), the person's notification frame
(in `user_event_message`), and the layer messages that carry them to each
server's hub (`status_message`, `progress_message`, `user_event_message`,
`staff_event_message`). The sockets' replays and sweeps
(`submissions_ws.selectors`) use the same builders. Frames are encoded once,
where the event is created, and the same text goes to every socket: fan-out
never re-serialises per page. `submissions.helpers` re-exports
`send_message` under the seed's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from common import metrics
from common.constants import STATUS_NAMES
from submissions import latest_progress
from submissions.models import SubmissionEvent
from submissions.publishing import EVENT_TYPE, publish, publish_to_group
from uid.models import Submission

__all__ = ["Progress", "build_frame", "encode", "progress_message", "send_message", "status_message"]


SNAPSHOT = "snapshot"
STATUS = "status"
PROGRESS = "progress"
PONG = "pong"


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a phase has got: `done` of `total` units (records).

    A job still waiting for a worker has `ahead` set: how many queued jobs
    will start before it. Its frame adds `queued` and `ahead` to the three
    keys every progress frame has, so older pages still read it.
    """

    phase: str
    done: int
    total: int
    ahead: int | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.ahead is None:
            return {"phase": self.phase, "done": self.done, "total": self.total}
        return {"phase": self.phase, "done": self.done, "total": self.total, "queued": True, "ahead": self.ahead}


def build_frame(
    *,
    kind: str,
    submission_id: int,
    seq: int,
    status: int,
    notification: str,
    validation_message: dict[str, int] | None,
    timestamp: datetime,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Return a frame dict with every key of the public contract."""
    frame: dict[str, Any] = {
        "type": kind,
        "seq": seq,
        "status": status,
        "message": STATUS_NAMES[status],
        "notification_message": notification,
        "validation_message": validation_message,
        "submission": submission_id,
        "timestamp": timestamp.isoformat(),
    }
    if progress is not None:
        frame["progress"] = progress.as_dict()
    return frame


def encode(frame: dict[str, Any]) -> str:
    """Compact JSON; non-ASCII stays readable and costs no escapes."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


# -- the per-user notification frame (`/ws/notifications/`) ----------------------

NOTIFICATION = "notification"
USER_EVENT_TYPE = "user.event"
USER_GROUP_PREFIX = "user."
# Every user event goes here too: staff list pages follow everyone's submissions on one socket.
STAFF_GROUP = "staff.notifications"
STAFF_EVENT_TYPE = "staff.event"
# The staff routes have one key: every staff socket that asked for all submissions.
STAFF_KEY = 0


def user_group_name(user_id: int) -> str:
    """The channel-layer group every server with a socket of this user joins."""
    return f"{USER_GROUP_PREFIX}{user_id}"


def user_event_message(
    *,
    user_id: int,
    submission_id: int,
    seq: int,
    title: str,
    status: int,
    notification: str,
    timestamp: datetime,
) -> dict[str, Any]:
    """The layer message for one status event, with the notification frame a person's every page receives."""
    frame = {
        "type": NOTIFICATION,
        "submission": submission_id,
        # Whose it is: a staff list page hears everyone's, and toasts only the person's own.
        "owner": user_id,
        "seq": seq,
        "title": title,
        "status": status,
        "message": STATUS_NAMES[status],
        # Whole, like the submission's own frame: the list page shows it in
        # full, and the toast shortens it for display.
        "notification_message": notification,
        "url": reverse("submissions:detail", args=[submission_id]),
        "timestamp": timestamp.isoformat(),
    }
    return {"type": USER_EVENT_TYPE, "user": user_id, "submission": submission_id, "seq": seq, "frame": encode(frame)}


def staff_event_message(owner_message: dict[str, Any]) -> dict[str, Any]:
    """The same event for the staff group: its own type, so the hub routes it to the staff sockets only.

    A process with both the owner's and a staff socket receives the two
    copies; each goes to its own routes, so neither socket hears it twice.
    """
    return {**owner_message, "type": STAFF_EVENT_TYPE, "staff": STAFF_KEY}


# -- layer messages and send_message --------------------------------------------


def status_message(*, submission_id: int, seq: int, frame: str) -> dict[str, Any]:
    """The layer message of one recorded status event, its encoded frame included."""
    return {"type": EVENT_TYPE, "submission": submission_id, "kind": STATUS, "seq": seq, "frame": frame}


def progress_message(*, submission_id: int, seq: int, phase: str, frame: str) -> dict[str, Any]:
    """The layer message of one progress frame; `seq` is the last status event's (progress has none)."""
    return {
        "type": EVENT_TYPE,
        "submission": submission_id,
        "kind": PROGRESS,
        "seq": seq,
        "phase": phase,
        "frame": frame,
    }


def send_message(
    submission: Submission,
    validation_message: dict[str, int] | None = None,
    *,
    progress: Progress | None = None,
) -> SubmissionEvent | None:
    """Tell every open page of `submission` its current status.

    The frame carries `submission.status` and `submission.message` as they are
    on the object passed in, so save the submission first. With `progress`,
    a progress frame is published at once instead: progress is ephemeral,
    is not written to the log, and does not advance `seq`.
    """
    now = timezone.now()
    if progress is not None:
        _publish_progress(submission, validation_message, progress, now)
        return None

    with transaction.atomic():
        # The row lock (an UPDATE) serialises writers per submission, and the
        # bump rolls back with the caller, so seqs are gapless.
        seq = _next_seq(submission.pk)
        frame = encode(
            build_frame(
                kind=STATUS,
                submission_id=submission.pk,
                seq=seq,
                status=submission.status,
                notification=submission.message,
                validation_message=validation_message,
                timestamp=now,
            )
        )
        event = SubmissionEvent.objects.create(
            submission_id=submission.pk,
            seq=seq,
            status=submission.status,
            message=submission.message,
            validation_message=validation_message,
            frame=frame,
            created=now,
        )
        message = status_message(submission_id=submission.pk, seq=seq, frame=frame)
        # `sent_at` times the delivery to the first socket of each server (common.metrics).
        # The owner's other pages (a toast anywhere, the list) hear of it too;
        # only the owner, even when staff watch the submission's own page.
        owner_message = user_event_message(
            user_id=submission.owner_id,
            submission_id=submission.pk,
            seq=seq,
            title=submission.title,
            status=submission.status,
            notification=submission.message,
            timestamp=now,
        )
        transaction.on_commit(lambda: _publish_status(submission.pk, message, owner_message))
    submission.last_seq = seq
    return event


def _next_seq(submission_id: int) -> int:
    """Bump and read the submission's `last_seq` in one statement.

    `UPDATE … RETURNING` (PostgreSQL, SQLite ≥ 3.35) saves the SELECT's round
    trip on every event; the UPDATE's row lock is what serialises writers.
    """
    quote = connection.ops.quote_name
    table, seq, pk = quote(Submission._meta.db_table), quote("last_seq"), quote(Submission._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {seq} = {seq} + 1 WHERE {pk} = %s RETURNING {seq}", [submission_id])
        row = cursor.fetchone()
    if row is None:
        raise Submission.DoesNotExist(f"Submission {submission_id} does not exist.")
    return row[0]


def _publish_status(submission_id: int, message: dict[str, Any], owner_message: dict[str, Any]) -> None:
    metrics.event_recorded()
    message["sent_at"] = metrics.stamp()
    publish(submission_id, message)
    publish_to_group(user_group_name(owner_message["user"]), owner_message)
    # Staff list pages (`/ws/notifications/?all=1`) follow every submission.
    publish_to_group(STAFF_GROUP, staff_event_message(owner_message))


def _publish_progress(
    submission: Submission,
    validation_message: dict[str, int] | None,
    progress: Progress,
    now: Any,
) -> None:
    latest_progress.remember(submission.pk, progress.as_dict())
    frame = encode(
        build_frame(
            kind=PROGRESS,
            submission_id=submission.pk,
            seq=submission.last_seq,
            status=submission.status,
            notification=submission.message,
            validation_message=validation_message,
            timestamp=now,
            progress=progress,
        )
    )
    publish(
        submission.pk,
        progress_message(submission_id=submission.pk, seq=submission.last_seq, phase=progress.phase, frame=frame),
    )
