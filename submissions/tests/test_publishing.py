"""The background publisher: order kept, backlogs batched, a failing layer survived, a fork, a flush at exit."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer

from common.channel_layers import BatchPublishingRedisPubSubChannelLayer
from e2e.services import REDIS, require
from submissions import publishing
from submissions.publishing import MAX_BATCH, LoopPublisher

ROOT = Path(__file__).resolve().parents[2]


class RecordingLayer:
    """Takes a random little while per message, as a network round trip does."""

    def __init__(self, *, failures: int = 0) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.failures = failures

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await asyncio.sleep(random.uniform(0, 0.002))
        if self.failures:
            self.failures -= 1
            raise ConnectionError("layer down")
        self.sent.append((group, message))


async def cancel_tasks() -> None:
    """End the publisher's drain task so the loop closes with nothing pending."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    asyncio.run_coroutine_threadsafe(cancel_tasks(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_messages_reach_the_layer_in_the_order_they_were_published(loop):
    layer = RecordingLayer()
    publisher = LoopPublisher(loop, layer)

    for number in range(300):
        publisher.publish(f"submission.{number % 3}", {"seq": number})
    publisher.flush(timeout=10)

    assert [message["seq"] for _, message in layer.sent] == list(range(300))


def test_a_failing_layer_loses_only_what_it_refused_and_logs_once(loop, caplog):
    layer = RecordingLayer(failures=5)
    publisher = LoopPublisher(loop, layer)

    with caplog.at_level(logging.WARNING, logger="submissions.publishing"):
        for number in range(20):
            publisher.publish("submission.1", {"seq": number})
        publisher.flush(timeout=10)

    assert [message["seq"] for _, message in layer.sent] == list(range(5, 20))
    assert [r.message for r in caplog.records].count(
        "channel layer publish failed; servers will resync from the event log"
    ) == 1


class BatchRecordingLayer(RecordingLayer):
    """A layer with `group_send_many`, as the project's Redis layer has; records each hand-over's size."""

    def __init__(self, *, failures: int = 0) -> None:
        super().__init__(failures=failures)
        self.batches: list[int] = []

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        self.batches.append(len(messages))
        await self.group_send(*messages[0])  # one round trip: may fail, and then the whole batch is lost
        self.sent.extend(messages[1:])


def stalled(loop: asyncio.AbstractEventLoop, publisher: LoopPublisher) -> threading.Event:
    """Hold the publisher's loop, as a thread starved of a core is held; set the event to let it go."""
    assert publisher._started.wait(5)
    gate = threading.Event()
    loop.call_soon_threadsafe(gate.wait, 10)
    return gate


def test_a_backlog_goes_to_the_layer_in_batches_of_at_most_max_batch_in_order(loop):
    layer = BatchRecordingLayer()
    publisher = LoopPublisher(loop, layer)
    gate = stalled(loop, publisher)

    for number in range(MAX_BATCH + 200):
        publisher.publish(f"submission.{number % 3}", {"seq": number})
    gate.set()
    publisher.flush(timeout=10)

    assert layer.batches == [MAX_BATCH, 200]
    assert [message["seq"] for _, message in layer.sent] == list(range(MAX_BATCH + 200))
    assert publisher.queue is not None
    assert publisher.queue._unfinished_tasks == 0, "every message of a batch is marked done"


def test_a_message_alone_in_the_queue_goes_by_group_send(loop):
    layer = BatchRecordingLayer()
    publisher = LoopPublisher(loop, layer)

    publisher.publish("submission.1", {"seq": 1})
    publisher.flush(timeout=10)

    assert layer.batches == []
    assert layer.sent == [("submission.1", {"seq": 1})]


def test_a_failed_batch_is_lost_whole_logged_once_and_the_next_one_still_goes(loop, caplog):
    layer = BatchRecordingLayer(failures=1)
    publisher = LoopPublisher(loop, layer)

    with caplog.at_level(logging.WARNING, logger="submissions.publishing"):
        gate = stalled(loop, publisher)
        for number in range(10):
            publisher.publish("submission.1", {"seq": number})
        gate.set()
        publisher.flush(timeout=10)
        gate = stalled(loop, publisher)
        for number in range(10, 20):
            publisher.publish("submission.1", {"seq": number})
        gate.set()
        publisher.flush(timeout=10)

    assert layer.batches == [10, 10]
    assert [message["seq"] for _, message in layer.sent] == list(range(10, 20))
    assert [r.message for r in caplog.records].count(
        "channel layer publish failed; servers will resync from the event log"
    ) == 1
    assert publisher.queue is not None
    assert publisher.queue._unfinished_tasks == 0


async def test_a_backlog_through_the_redis_layer_reaches_a_server_s_receive_in_order(loop):
    """The real path of distributed mode: publisher thread, pipelined Redis layer, a server's group receive."""
    require("Redis", REDIS)
    config = {"hosts": [{"address": f"redis://{REDIS[0]}:{REDIS[1]}/0"}], "prefix": f"test{uuid.uuid4().hex}"}
    server = RedisPubSubChannelLayer(**config)
    channel = await server.new_channel()
    for group in ("submission.1", "user.1", "staff"):
        await server.group_add(group, channel)
    sender = BatchPublishingRedisPubSubChannelLayer(**config)
    publisher = LoopPublisher(loop, sender)
    groups = ("submission.1", "user.1", "staff")
    messages = [(groups[n % 3], {"type": "submission.event", "seq": n}) for n in range(MAX_BATCH + 100)]
    batch_send = mock.patch.object(
        BatchPublishingRedisPubSubChannelLayer,
        "group_send_many",
        autospec=True,
        side_effect=BatchPublishingRedisPubSubChannelLayer.group_send_many,
    )
    try:
        with batch_send as handed_over:
            gate = stalled(loop, publisher)
            for group, message in messages:
                publisher.publish(group, message)
            gate.set()
            await asyncio.to_thread(publisher.flush, 10)
        got = [await asyncio.wait_for(server.receive(channel), 5) for _ in messages]
    finally:
        asyncio.run_coroutine_threadsafe(sender.flush(), loop).result(5)
        await server.flush()

    assert got == [message for _, message in messages]
    assert [len(call.args[1]) for call in handed_over.call_args_list] == [MAX_BATCH, 100]


class FileLayer:
    """A cross-process layer stand-in that writes what it is sent to a file."""

    def __init__(self, path: Path, delay: float = 0.0) -> None:
        self.path = path
        self.delay = delay

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await asyncio.sleep(self.delay)
        with self.path.open("a") as out:
            out.write(json.dumps([group, message]) + "\n")


def test_a_forked_child_publishes_through_a_publisher_of_its_own(tmp_path, monkeypatch):
    """Celery's prefork pool forks after import: the parent's publisher thread does not exist in the child."""
    sent = tmp_path / "sent.jsonl"
    monkeypatch.setattr(publishing, "_thread_publisher", None)
    monkeypatch.setattr(publishing, "get_channel_layer", lambda: FileLayer(sent))
    publishing.publish_to_group("submission.1", {"from": "parent"})
    publishing._background_publisher().flush(timeout=5)

    pid = os.fork()
    if pid == 0:  # the child: publish, flush, report by exit status only
        try:
            publishing.publish_to_group("submission.1", {"from": "child"})
            publishing._background_publisher().flush(timeout=5)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    parents = publishing._background_publisher().loop
    asyncio.run_coroutine_threadsafe(cancel_tasks(), parents).result(5)
    parents.call_soon_threadsafe(parents.stop)
    while parents.is_running():
        time.sleep(0.01)
    parents.close()  # its flush at exit then has nothing to wait for

    assert os.waitstatus_to_exitcode(status) == 0
    assert [json.loads(line)[1]["from"] for line in sent.read_text().splitlines()] == ["parent", "child"]


EXITING_SCRIPT = """
import django, pathlib, sys
django.setup()
from submissions import publishing
sys.path.insert(0, {tests!r})
from test_publishing import FileLayer
publishing.get_channel_layer = lambda: FileLayer(pathlib.Path({path!r}), delay=0.3)
for seq in (1, 2, 3):
    publishing.publish_to_group("submission.1", {{"seq": seq}})
# A `manage.py shell` or a one-off script ends here, long before the layer has answered.
"""


def test_a_process_that_exits_right_after_publishing_still_hands_everything_to_the_layer(tmp_path):
    sent = tmp_path / "sent.jsonl"
    script = EXITING_SCRIPT.format(tests=str(Path(__file__).parent), path=str(sent))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}

    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, env=env, capture_output=True, timeout=60
    )

    assert result.returncode == 0, result.stderr.decode()
    assert sent.exists(), "the daemon thread died with the process before publishing"
    assert [json.loads(line)[1]["seq"] for line in sent.read_text().splitlines()] == [1, 2, 3]
