"""Every Prometheus metric of the site, and the few calls that move them.

The real-time path calls only what is here, each call a counter or gauge
step on a child whose labels were bound at import, so instrumentation stays
a line per place and costs about a microsecond. With several processes
(uvicorn `--workers`, Celery) `PROMETHEUS_MULTIPROC_DIR` must be set before
this module is imported: `prometheus_client` then keeps each process's
values in a file there, and `/metrics` sums them (`operations.metrics_view`).

Names follow Prometheus' conventions: counters end in `_total` (added by
the client), durations are in seconds, and no label names a person or a
submission, so the number of series stays fixed.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

from common import metrics_process  # noqa: F401 - registers the exit hook of multiprocess mode

PREFIX = "submission_live"
ENDPOINTS = ("submission", "notifications")
FRAME_KINDS = ("snapshot", "status", "progress", "pong", "notification")

SOCKETS_OPEN = Gauge(
    f"{PREFIX}_sockets_open", "WebSockets open now, by endpoint.", ["endpoint"], multiprocess_mode="livesum"
)
FRAMES_SENT = Counter(f"{PREFIX}_frames_sent", "Frames written to sockets, by kind.", ["kind"])
EVENTS_RECORDED = Counter(f"{PREFIX}_events_recorded", "Status events committed to the event log.")
SWEEP_REPAIRS = Counter(
    f"{PREFIX}_sweep_repairs",
    "Status events the channel layer did not deliver and the hub's sweep relayed from the event log.",
)
CONNECTS_REFUSED = Counter(f"{PREFIX}_connects_refused", "WebSocket connects refused, by close code.", ["code"])
OUTBOX_OVERFLOWS = Counter(
    f"{PREFIX}_outbox_overflows", "Socket outboxes that overflowed and were refilled from the event log."
)
JOB_DURATION = Histogram(
    f"{PREFIX}_job_duration_seconds",
    "Wall time of a job, by phase and the status it ended in.",
    ["phase", "outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
JOBS_RUNNING = Gauge(f"{PREFIX}_jobs_running", "Jobs running now, by phase.", ["phase"], multiprocess_mode="livesum")
WATCHDOG_FAILURES = Counter(
    f"{PREFIX}_watchdog_failures",
    "Jobs the watchdog ended: heartbeat stopped (stale) or left by a previous server (orphaned).",
    ["reason"],
)
DELIVERY_SECONDS = Histogram(
    f"{PREFIX}_delivery_seconds",
    "From send_message to the socket write, for the first socket of each event in each server process.",
    # Fine below 10 ms, where the goal is (p99 ≤ 5 ms, bench/RESULTS.md reads these buckets).
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Children bound once: the hot path does a dict lookup and an increment.
_frames = {kind: FRAMES_SENT.labels(kind) for kind in FRAME_KINDS}
_sockets = {endpoint: SOCKETS_OPEN.labels(endpoint) for endpoint in ENDPOINTS}


def frame_sent(kind: str, count: int = 1) -> None:
    _frames[kind].inc(count)


def socket_opened(endpoint: str) -> None:
    _sockets[endpoint].inc()


def socket_closed(endpoint: str) -> None:
    _sockets[endpoint].dec()


def connect_refused(code: int) -> None:
    CONNECTS_REFUSED.labels(str(code)).inc()


def event_recorded() -> None:
    EVENTS_RECORDED.inc()


def sweep_repaired(count: int) -> None:
    SWEEP_REPAIRS.inc(count)


def outbox_overflowed() -> None:
    OUTBOX_OVERFLOWS.inc()


def watchdog_failed(reason: str, count: int) -> None:
    if count:
        WATCHDOG_FAILURES.labels(reason).inc(count)


def stamp() -> float:
    """The wall-clock time `send_message` puts on a layer message (comparable across processes)."""
    return time.time()


def delivered(stamped: float) -> None:
    """A frame stamped by `send_message` was just written to a socket."""
    DELIVERY_SECONDS.observe(max(0.0, time.time() - stamped))


def job_started(phase: str) -> float:
    JOBS_RUNNING.labels(phase).inc()
    return time.monotonic()


def job_ended(phase: str, outcome: str, started: float) -> None:
    JOBS_RUNNING.labels(phase).dec()
    JOB_DURATION.labels(phase, outcome).observe(time.monotonic() - started)
