"""Progress frames are throttled but the last one always goes out."""

from __future__ import annotations

import json

from jobs.progress import ProgressReporter


def test_a_fast_loop_publishes_a_few_frames_and_always_the_final_one(submission, monkeypatch):
    frames: list[dict] = []
    monkeypatch.setattr("submissions.helpers.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    report = ProgressReporter(submission, "import", interval=60)

    for done in range(1, 10001):
        report(done, 10000)

    assert [f["progress"]["done"] for f in frames] == [1, 10000]
    assert all(f["type"] == "progress" and f["progress"]["phase"] == "import" for f in frames)
