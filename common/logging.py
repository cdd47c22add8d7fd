"""Keep an outage to a few log lines instead of a traceback a second.

While Redis or the database is down, libraries retry in loops and log the
same exception each time (channels_redis' receive task does, once a second
per process). The first occurrence is what an operator needs; repeats of the
same message from the same logger are dropped for a minute.
"""

from __future__ import annotations

import logging
import time


class RepeatFilter(logging.Filter):
    def __init__(self, window: float = 60.0) -> None:
        super().__init__()
        self.window = window
        self._last: dict[tuple[str, object], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.msg)
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.window:
            return False
        self._last[key] = now
        return True
