"""What every sender shares: pacing, the time stamp, the frame content.

Each call is stamped with `time.time()` just before the send call starts,
so latency covers the whole send path (for the project: the DB write too).
A paced sender keeps an absolute schedule; if a call is slower than the
schedule allows, it falls behind and the achieved rate says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

MARK = "@@"
VALIDATION = {
    "animals": 120,
    "samples": 240,
    "animal_unkn": 0,
    "sample_unkn": 0,
    "animal_issues": 0,
    "sample_issues": 0,
}


def stamp() -> str:
    """Notification text carrying the send time for the clients."""
    return f"bench {MARK}{time.time():.6f}{MARK}"


def stamp_of(text: str) -> float | None:
    """The send time in a notification text (the join key between sender and clients)."""
    start = text.find(MARK)
    if start < 0:
        return None
    return float(text[start + 2 : text.find(MARK, start + 2)])


def frame_dict(submission_id: int, seq: int) -> dict[str, Any]:
    """A status frame with the project's keys, for senders that build their own."""
    return {
        "type": "status",
        "seq": seq,
        "status": 0,
        "message": "Waiting",
        "notification_message": stamp(),
        "validation_message": VALIDATION,
        "submission": submission_id,
        "timestamp": datetime.now(UTC).isoformat(),
    }


def paced(send: Callable[[int], str | None], *, count: int, rate: float, seconds: float) -> dict[str, Any]:
    """Call `send(i)` `count` times at `rate` per second (0: as fast as possible), for at most `seconds`.

    When `send` returns the stamped text it sent, the time the call returned
    is kept for that stamp: clients' receipts minus it give the latency of
    the delivery alone, without the send call (for the project, the DB write).
    """
    durations: list[float] = []
    returned: list[tuple[float, float]] = []
    cpu_start = time.process_time()
    start = time.perf_counter()
    limit = start + seconds
    sent = 0
    for index in range(count):
        if rate:
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        before = time.perf_counter()
        if before > limit:
            break
        mark = send(index)
        durations.append(time.perf_counter() - before)
        sent += 1
        if mark and (sent_at := stamp_of(mark)) is not None:
            returned.append((sent_at, time.time()))
    elapsed = time.perf_counter() - start
    return {
        "sent": sent,
        "seconds": elapsed,
        "rate": sent / elapsed if elapsed else 0.0,
        "call_us_p50": statistics.median(durations) * 1e6 if durations else None,
        "call_us_mean": statistics.fmean(durations) * 1e6 if durations else None,
        "call_us_p99": quantile(durations, 0.99) * 1e6 if durations else None,
        "cpu_us_per_call": (time.process_time() - cpu_start) / sent * 1e6 if sent else None,
        "durations_us": [round(d * 1e6) for d in durations],
        "returned": returned,
    }


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def emit(result: dict[str, Any]) -> None:
    """The one line the orchestrator reads (`bench.procs.run_json`)."""
    sys.stdout.write("RESULT=" + json.dumps(result) + "\n")
    sys.stdout.flush()


def sender_options(settings_module: str) -> argparse.Namespace:
    """The command line every sender takes; Django is set up for `settings_module`.

    Django is set up here, after parsing, because the senders import models
    only once the settings module is chosen.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["paced", "burst", "cost"])
    parser.add_argument("--ids", default="")
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--per-id", type=int, default=10)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    return options
