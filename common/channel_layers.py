"""The project's channel layers: the embedded default's in-memory layer with its housekeeping
bounded, and the distributed mode's Redis pub/sub layer with batched publishing.

`InMemoryChannelLayer` walks every channel and every group membership for
expiry on each `group_send` and each `receive` (`_clean_expired`). The hub
keeps one group per submission being watched, so that walk made every
message cost O(submissions served): about 600 µs of the server's CPU per
message with 1,000 watched submissions (bench row 3, column b). Expiry
works in whole seconds to days (message expiry 60 s, group expiry a day),
so doing the walk at most once per `CLEAN_INTERVAL` keeps its meaning and
makes a message cost O(1) again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection

CLEAN_INTERVAL = 1.0


class BoundedCleanupInMemoryChannelLayer(InMemoryChannelLayer):
    """In-memory layer whose expiry sweep runs at most once per `CLEAN_INTERVAL` seconds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_clean:
            return
        self._next_clean = now + CLEAN_INTERVAL
        super()._clean_expired()


class BatchPublishingRedisPubSubChannelLayer(RedisPubSubChannelLayer):
    """channels_redis' pub/sub layer with `group_send_many`: a batch of group messages in one round trip per shard.

    Each event of `send_message` is three group messages (submission, owner,
    staff), and `group_send` awaits one PUBLISH round trip each under the
    shard's lock. When the sender's thread is starved of a core, a backlog
    builds and drained one round trip at a time it became the largest stage
    of the latency tail (bench/analysis.md, finding 2). Here a backlog goes to
    Redis as one pipeline (transaction=False: no MULTI, just the PUBLISHes
    written together and their replies read together).

    It reuses the loop layer's shard connection and lock, its serializer and
    its group-channel naming, so what a server's `receive` gets is byte for
    byte what `group_send` would have published, in the same order: a group
    always maps to one shard, and each shard's part keeps the batch order.
    """

    async def group_send_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Publish `messages` (group, message) in order; raises if any shard's pipeline failed.

        Every shard is tried even when an earlier one failed, as separate
        `group_send` calls would have been; the first error is raised after.
        """
        layer: RedisPubSubLoopLayer = self._get_layer()
        per_shard: dict[int, tuple[RedisSingleShardConnection, list[tuple[str, bytes]]]] = {}
        for group, message in messages:
            channel = layer._get_group_channel_name(group)
            shard = layer._get_shard(channel)
            per_shard.setdefault(id(shard), (shard, []))[1].append((channel, self.serialize(message)))
        error: BaseException | None = None
        for shard, publishes in per_shard.values():
            try:
                await _publish_pipelined(shard, publishes)
            except Exception as failure:  # noqa: BLE001 - re-raised below, after the other shards
                error = error or failure
        if error is not None:
            raise error


async def _publish_pipelined(shard: RedisSingleShardConnection, publishes: Sequence[tuple[str, bytes]]) -> None:
    """What `RedisSingleShardConnection.publish` does, for many PUBLISHes in one pipeline."""
    async with shard._lock:
        shard._ensure_redis()
        pipe = shard._redis.pipeline(transaction=False)
        for channel, data in publishes:
            pipe.publish(channel, data)
        await pipe.execute()
