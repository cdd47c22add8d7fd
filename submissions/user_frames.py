"""The per-user notification frame and the layer message that carries it.

They live with the submission frames (`submissions.frames`) because
`send_message` builds them in the same transaction as the event.

Pages anywhere in the site listen on `/ws/notifications/` to hear when one
of the signed-in person's submissions changes status. The frame is built
once per status event, where `send_message` records it (or where a server's
sweep finds an event another process wrote), and the same text goes to every
socket of that person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from common.constants import STATUS_NAMES
from submissions.frames import encode

NOTIFICATION = "notification"
USER_EVENT_TYPE = "user.event"
USER_GROUP_PREFIX = "user."


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
    """The layer message for one status event, its encoded frame included."""
    frame = notification_frame(
        submission_id=submission_id, seq=seq, title=title, status=status, notification=notification, timestamp=timestamp
    )
    return {"type": USER_EVENT_TYPE, "user": user_id, "submission": submission_id, "seq": seq, "frame": encode(frame)}


def notification_frame(
    *,
    submission_id: int,
    seq: int,
    title: str,
    status: int,
    notification: str,
    timestamp: datetime,
) -> dict[str, Any]:
    """The frame a person's every page receives when one of their submissions changes status."""
    return {
        "type": NOTIFICATION,
        "submission": submission_id,
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
