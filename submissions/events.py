"""The one way to tell pages about a submission: `send_message`, and the layer messages it publishes.

It records a status event in the submission's event log, in the caller's
transaction, and publishes it only after that transaction commits (as Zulip's
`send_event_on_commit` does). A rolled-back transaction publishes nothing,
and a page that connects later still finds the event in the log.

The layer messages (what goes through the channel layer to each server's
hub) are built here only: `status_message` and `progress_message`, used by
`send_message` and by the sockets' replays and sweeps
(`submissions_ws.selectors`). `submissions.helpers` re-exports
`send_message` under the seed's name.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from common import metrics
from submissions import latest_progress
from submissions.frames import PROGRESS, STATUS, Progress, build_frame, encode
from submissions.models import SubmissionEvent
from submissions.publishing import EVENT_TYPE, publish, publish_to_group
from submissions.user_frames import user_event_message, user_group_name
from uid.models import Submission

__all__ = ["Progress", "progress_message", "send_message", "status_message"]


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


def _publish_progress(
    submission: Submission,
    validation_message: dict[str, int] | None,
    progress: Progress,
    now: Any,
) -> None:
    latest_progress.remember(submission.pk, progress)
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
