"""The latest progress of each submission's running phase, for readers that hold no socket (the JSON API).

Progress frames are not logged (they are ephemeral), so the newest one is
kept in the cache: the process's own memory in the embedded default, where
jobs run in the server, and Redis in distributed mode. A cache that is down
loses only this convenience, never a frame.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)
KEEP_SECONDS = 3600
# At most one cache write per submission this often (a Redis round trip must not land on every frame).
EVERY_SECONDS = 1.0
_written: dict[int, float] = {}


def _key(submission_id: int) -> str:
    return f"submission-progress:{submission_id}"


def remember(submission_id: int, progress: dict[str, Any]) -> None:
    """Keep a progress frame's `progress` dict (throttled; the last one of a phase always)."""
    now = time.monotonic()
    if progress["done"] < progress["total"] and now - _written.get(submission_id, float("-inf")) < EVERY_SECONDS:
        return
    _written[submission_id] = now
    if len(_written) > 10_000:
        _written.clear()
    try:
        cache.set(_key(submission_id), {**progress, "at": time.time()}, KEEP_SECONDS)
    except Exception:  # noqa: BLE001 - best effort, see the module docstring
        logger.debug("could not cache progress of submission %s", submission_id)


def latest(submission_id: int) -> dict[str, Any] | None:
    """`{phase, done, total, at}` of the last progress frame, or None."""
    try:
        return cache.get(_key(submission_id))
    except Exception:  # noqa: BLE001
        return None
