"""Progress frames are throttled but the last one always goes out."""

from __future__ import annotations

import json

from jobs.progress import ProgressReporter


def test_a_fast_loop_publishes_a_few_frames_and_always_the_final_one(submission, monkeypatch):
    frames: list[dict] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    report = ProgressReporter(submission, "import", interval=60)

    for done in range(1, 10001):
        report(done, 10000)

    assert [f["progress"]["done"] for f in frames] == [1, 10000]
    assert all(f["type"] == "progress" and f["progress"]["phase"] == "import" for f in frames)


def test_a_step_that_cannot_count_still_sends_a_frame_at_least_every_half_second(submission, monkeypatch):
    """A bulk write or ANALYZE has nothing to count; the bar must not look dead meanwhile."""
    import itertools
    import threading
    import time

    sent: list[tuple[float, int, int]] = []

    def record(pk, message):
        progress = json.loads(message["frame"])["progress"]
        sent.append((time.monotonic(), progress["done"], progress["total"]))

    monkeypatch.setattr("submissions.events.publish", record)
    report = ProgressReporter(submission, "validation", interval=60)

    started = time.monotonic()
    with report.keepalive(every=0.2):
        report(5, 10)
        threading.Event().wait(1.5)  # the silent step
    finished = time.monotonic()

    times = [started] + [at for at, _, _ in sent] + [finished]
    # Every 0.2 s is the aim; the bound is loose because this machine is shared.
    assert max(b - a for a, b in itertools.pairwise(times)) < 1.0
    assert len(sent) >= 4
    assert {(done, total) for _, done, total in sent} == {(5, 10)}  # the latest numbers, repeated
    count = len(sent)
    threading.Event().wait(0.5)
    assert len(sent) == count  # nothing after the step ended
