"""Progress people can read: "12,000 of 36,000 records · 4,100/s · about 6 s left".

The terminal watcher uses these; `static/submissions/live.js` writes the same
text on the page (`progressText` there mirrors `progress_text` here).
"""

from __future__ import annotations

import time
from collections import deque

WINDOW_SECONDS = 10.0
# No rate until the samples span this long.
MIN_SPAN_SECONDS = 0.5


class RateMeter:
    """Records per second over the last WINDOW_SECONDS of one phase's progress."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, int]] = deque()
        self.phase = ""
        self.started = time.monotonic()

    def add(self, phase: str, done: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if phase != self.phase or (self.samples and done < self.samples[-1][1]):
            self.samples.clear()
            self.phase = phase
            self.started = now
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > WINDOW_SECONDS:
            self.samples.popleft()

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        # Two frames can arrive together (the latest progress replayed on connect, then a live
        # one): over a few microseconds they made a rate of millions per second.
        return (d1 - d0) / (t1 - t0) if t1 - t0 >= MIN_SPAN_SECONDS and d1 > d0 else None

    def elapsed(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.started


def seconds_text(seconds: float) -> str:
    """6 s, 4 min, 1 h 5 min: rounded the way people say it."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def progress_text(done: int, total: int, rate: float | None, unit: str = "records") -> str:
    parts = [f"{done:,} of {total:,} {unit}" if total else f"{done:,} {unit}"]
    if rate:
        parts.append(f"{rate:,.0f}/s")
        if total and done < total:
            parts.append(f"about {seconds_text((total - done) / rate)} left")
    return " · ".join(parts)


def elapsed_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d} elapsed"
