from __future__ import annotations

import asyncio
import uuid
from typing import Any
from unittest import mock

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisSingleShardConnection
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError

from common import channel_layers
from common.channel_layers import BatchPublishingRedisPubSubChannelLayer, BoundedCleanupInMemoryChannelLayer
from e2e.redis_process import RedisProcess
from e2e.services import REDIS, require

REDIS_URL = f"redis://{REDIS[0]}:{REDIS[1]}/0"
GROUPS = ("submission.1", "user.7", "staff")


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


def redis_layer(cls: type[RedisPubSubChannelLayer], prefix: str, *urls: str) -> RedisPubSubChannelLayer:
    """A layer on the real Redis; the prefix keeps other runs' publishes (pub/sub ignores databases) apart."""
    return cls(hosts=[{"address": url} for url in urls or (REDIS_URL,)], prefix=prefix)


@pytest.fixture
def prefix() -> str:
    require("Redis", REDIS)
    return f"test{uuid.uuid4().hex}"


async def joined(layer: RedisPubSubChannelLayer, groups: tuple[str, ...] = GROUPS) -> str:
    """A server-side channel in every group, as the hub joins them (subscribed once this returns)."""
    channel = await layer.new_channel()
    for group in groups:
        await layer.group_add(group, channel)
    return channel


async def received(layer: RedisPubSubChannelLayer, channel: str, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]


def batch(count: int, start: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """Messages to the three groups an event goes to, in turn; non-ASCII text, as titles may have."""
    numbers = range(start, start + count)
    return [(GROUPS[n % 3], {"type": "submission.event", "seq": n, "body": {"s": "é" * (n % 3)}}) for n in numbers]


async def test_a_batch_reaches_a_server_s_receive_in_order_as_group_send_delivers_it(prefix):
    server = redis_layer(RedisPubSubChannelLayer, prefix)
    sender = redis_layer(BatchPublishingRedisPubSubChannelLayer, prefix)
    channel = await joined(server)
    messages = batch(300)
    try:
        for group, message in messages:
            await sender.group_send(group, message)
        one_by_one = await received(server, channel, len(messages))
        with (
            mock.patch.object(RedisSingleShardConnection, "publish") as single_publish,
            mock.patch.object(Pipeline, "execute", autospec=True, side_effect=Pipeline.execute) as round_trips,
        ):
            await sender.group_send_many(messages)
        in_a_batch = await received(server, channel, len(messages))
    finally:
        await sender.flush()
        await server.flush()

    assert in_a_batch == one_by_one == [message for _, message in messages]
    assert round_trips.call_count == 1, "one pipeline, one round trip, for the whole batch"
    single_publish.assert_not_called()


async def test_with_two_shards_each_group_keeps_its_order_and_each_shard_takes_one_round_trip(prefix):
    """Each group hashes to one shard in sender and server alike; both shards here are one Redis."""
    urls = (REDIS_URL, REDIS_URL.replace("/0", "/1"))
    server = redis_layer(RedisPubSubChannelLayer, prefix, *urls)
    sender = redis_layer(BatchPublishingRedisPubSubChannelLayer, prefix, *urls)
    loop_layer = sender._get_layer()
    shard_of = {name: loop_layer._get_shard(loop_layer._get_group_channel_name(name)) for name in map(str, range(200))}
    # Four groups on each shard (CRC-hashed names that differ in one digit often share a shard).
    groups = tuple(name for shard in loop_layer._shards for name in [n for n, s in shard_of.items() if s is shard][:4])
    channel = await joined(server, groups)
    messages = [(groups[number % 8], {"type": "submission.event", "seq": number}) for number in range(200)]
    try:
        with mock.patch.object(Pipeline, "execute", autospec=True, side_effect=Pipeline.execute) as round_trips:
            await sender.group_send_many(messages)
        got = await received(server, channel, len(messages))
    finally:
        await sender.flush()
        await server.flush()

    assert len(groups) == 8
    assert round_trips.call_count == 2
    per_group = {group: [m["seq"] for m in got if m["seq"] % 8 == number] for number, group in enumerate(groups)}
    assert per_group == {group: list(range(number, 200, 8)) for number, group in enumerate(groups)}


async def test_a_batch_fails_while_redis_is_down_as_group_send_does_and_works_once_it_is_back(prefix, tmp_path):
    """The publisher counts either failure as one lost hand-over; the same layer object must recover."""
    redis = RedisProcess(tmp_path)
    redis.start()
    sender = redis_layer(BatchPublishingRedisPubSubChannelLayer, prefix, redis.url)
    try:
        await sender.group_send_many(batch(3))  # the sender's connection is open and pooled
        redis.kill()
        with pytest.raises(RedisConnectionError) as single:
            await sender.group_send(*batch(1)[0])
        with pytest.raises(RedisConnectionError) as batched:
            await sender.group_send_many(batch(3))
        assert type(batched.value) is type(single.value)

        redis.start()  # the same port: what a restarted Redis looks like to its clients
        server = redis_layer(RedisPubSubChannelLayer, prefix, redis.url)
        channel = await joined(server)
        await sender.group_send_many(batch(30, start=100))
        got = await received(server, channel, 30)
        await server.flush()
    finally:
        await sender.flush()
        redis.kill()

    assert [message["seq"] for message in got] == list(range(100, 130))
