"""The watcher's ordering rules and what its terminal shows (the real-server path is e2e/test_watcher.py)."""

from __future__ import annotations

from rich.console import Console

from operations.progress_text import RateMeter, progress_text, seconds_text
from operations.watcher import Follower, View, socket_url


def frame(kind: str, seq: int, status: int = 0, **extra) -> dict:
    return {"type": kind, "seq": seq, "status": status, "notification_message": f"n{seq}", **extra}


def test_status_frames_apply_in_seq_order_and_a_gap_asks_for_a_resume():
    follower = Follower()

    assert follower.apply(frame("snapshot", 3)) == "show"
    assert follower.apply(frame("status", 3)) == "skip"
    assert follower.apply(frame("status", 5)) == "resume"
    assert follower.seq == 3
    assert follower.apply(frame("status", 4, status=4)) == "show"
    assert follower.exit_code == 2


def test_exit_codes_follow_the_status():
    for status, code in {0: None, 2: None, 1: 0, 5: 0, 6: 0, 3: 1, 4: 2}.items():
        follower = Follower()
        follower.apply(frame("snapshot", 1, status=status))
        assert follower.exit_code == code, status


def test_the_bar_shows_rate_and_time_left():
    console = Console(record=True, force_terminal=True, width=140)
    view = View(console)
    follower = Follower()
    follower.apply(frame("snapshot", 1))
    for at, done in [(0.0, 0), (1.0, 4100), (2.0, 8200), (2.93, 12000)]:
        follower.progress = {"phase": "validation", "done": done, "total": 36000}
        follower.meter.add("validation", done, now=at)
    view.progress(follower)
    view.bar.refresh()
    view.close()

    text = console.export_text()
    assert "validation" in text
    assert "12,000 of 36,000 records · 4,096/s · about 6 s left" in text


def test_progress_text_reads_like_a_sentence():
    assert progress_text(12000, 36000, 4100.0) == "12,000 of 36,000 records · 4,100/s · about 6 s left"
    assert progress_text(5, 40, None, "records submitted") == "5 of 40 records submitted"
    assert progress_text(40, 40, 3.0) == "40 of 40 records · 3/s"
    assert seconds_text(61) == "1 min"
    assert seconds_text(3900) == "1 h 5 min"


def test_the_rate_forgets_a_previous_phase():
    meter = RateMeter()
    meter.add("import", 0, now=0)
    meter.add("import", 1000, now=1)
    meter.add("validation", 10, now=2)

    assert meter.rate() is None


def test_no_rate_until_the_frames_span_half_a_second():
    meter = RateMeter()
    meter.add("validation", 20416, now=10.0)
    meter.add("validation", 31360, now=10.00015)

    assert meter.rate() is None
    meter.add("validation", 32000, now=10.5)
    assert round(meter.rate()) == 23168


def test_socket_urls():
    assert socket_url("https://live.example.org/", 7, None) == "wss://live.example.org/ws/submissions/7/"
    assert socket_url("http://127.0.0.1:8000", 7, 12) == "ws://127.0.0.1:8000/ws/submissions/7/?since=12"
