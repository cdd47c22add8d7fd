"""The per-socket outbox stays bounded and keeps only the latest progress."""

from __future__ import annotations

from submissions_ws.outbox import MAX_QUEUED, Outbox


async def test_progress_is_coalesced_to_the_latest_frame_per_phase():
    outbox = Outbox()
    outbox.put_progress("import", "a")
    outbox.put_progress("import", "b")
    outbox.put_progress("validation", "c")

    assert len(outbox.items) == 2
    assert outbox.progress == {"import": "b", "validation": "c"}


async def test_status_frames_queue_in_order_until_the_bound_then_flag_overflow():
    outbox = Outbox()
    for seq in range(1, MAX_QUEUED + 6):
        outbox.put_status(seq, f"frame {seq}")

    assert len(outbox.items) == MAX_QUEUED
    assert outbox.overflowed
    assert [item[1] for item in list(outbox.items)[:3]] == [1, 2, 3]
    outbox.reset()
    assert not outbox.items
    assert not outbox.overflowed
