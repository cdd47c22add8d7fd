"""Build and encode the JSON frames pages receive.

Frames are encoded once, where the event is created, and the same text goes
to every socket: fan-out never re-serialises per page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.constants import STATUS_NAMES

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
