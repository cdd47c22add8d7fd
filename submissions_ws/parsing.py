"""Parsing what clients send: URL ids, `since`, and frames.

Everything here is pure, so it can be fuzzed: it returns a value or raises
`FrameError` with the close code to use, nothing else.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from submissions_ws import close_codes

MAX_CLIENT_FRAME = 4096
# Ids beyond a signed 64-bit integer cannot exist, and would overflow SQL.
MAX_ID = 2**63 - 1


class FrameError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True, slots=True)
class ClientFrame:
    kind: str
    since: int | None = None


def parse_submission_id(raw: Any) -> int | None:
    """A positive id that fits the database, or None."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_seq(raw: Any) -> int | None:
    """A usable `since`, or None (which means: send a snapshot)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 <= raw <= MAX_ID else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        return value if value <= MAX_ID else None
    return None


def parse_client_frame(text: str | None, data: bytes | None) -> ClientFrame:
    """Accept only `{"type": "ping"}` and `{"type": "resume", "since": N}`."""
    if text is None:
        raise FrameError(close_codes.UNSUPPORTED_DATA, "binary frames are not accepted")
    if len(text) > MAX_CLIENT_FRAME or len(text.encode("utf-8", "surrogatepass")) > MAX_CLIENT_FRAME:
        raise FrameError(close_codes.MESSAGE_TOO_BIG, "frame too big")
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise FrameError(close_codes.BAD_FRAME, "invalid JSON") from error
    if not isinstance(payload, dict):
        raise FrameError(close_codes.BAD_FRAME, "a frame must be a JSON object")
    kind = payload.get("type")
    if kind == "ping":
        return ClientFrame("ping")
    if kind == "resume":
        return ClientFrame("resume", parse_seq(payload.get("since")))
    raise FrameError(close_codes.BAD_FRAME, "unknown frame type")


class TokenBucket:
    """At most `rate` frames a second on average, with bursts of `burst`."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float = 20.0, burst: float = 40.0) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
