from __future__ import annotations

from unittest import mock

import pytest

from common import channel_layers
from common.channel_layers import BoundedCleanupInMemoryChannelLayer


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(channel_layers.time, "monotonic", lambda: now[0])
    return now


async def test_group_messages_still_reach_every_member():
    layer = BoundedCleanupInMemoryChannelLayer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("submission.1", first)
    await layer.group_add("submission.1", second)
    await layer.group_send("submission.1", {"type": "submission.event", "seq": 1})
    assert await layer.receive(first) == {"type": "submission.event", "seq": 1}
    assert await layer.receive(second) == {"type": "submission.event", "seq": 1}


async def test_the_expiry_walk_runs_at_most_once_per_interval(clock: list[float]):
    layer = BoundedCleanupInMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("submission.1", channel)
    with mock.patch("channels.layers.InMemoryChannelLayer._clean_expired") as walk:
        for _ in range(100):
            await layer.group_send("submission.1", {"type": "submission.event"})
        assert walk.call_count == 1
        clock[0] += channel_layers.CLEAN_INTERVAL
        await layer.group_send("submission.1", {"type": "submission.event"})
        assert walk.call_count == 2


async def test_expired_group_memberships_still_end(clock: list[float]):
    """A membership older than group_expiry is dropped at the next walk, as in Channels' own layer."""
    layer = BoundedCleanupInMemoryChannelLayer(group_expiry=2)
    channel = await layer.new_channel()
    await layer.group_add("submission.1", channel)
    layer.groups["submission.1"][channel] -= 3  # joined three seconds ago
    clock[0] += channel_layers.CLEAN_INTERVAL
    await layer.group_send("submission.1", {"type": "submission.event"})
    assert channel not in layer.groups.get("submission.1", {})
