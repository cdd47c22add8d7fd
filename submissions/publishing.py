"""Hand committed events to the channel layer without blocking the caller.

`send_message` runs in sync code: Django views, Celery tasks, job threads,
`manage.py shell`. Calling `async_to_sync(layer.group_send)` there costs an
event loop hop of about 2 ms per call. Instead each process keeps one loop
(the server's own, or a background thread's) with a FIFO drained by a single
task, and the caller only pays `call_soon_threadsafe`. The FIFO keeps a
submission's events in the order they were committed in this process.

Losing a doorbell here is never fatal: the event is already in the database,
and each server's sweep (`submissions_ws.hub`) relays what the layer missed.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

GROUP_PREFIX = "submission."
EVENT_TYPE = "submission.event"
# At most this many queued messages per hand-over, so one batch's pipeline
# (and the memory of its serialised messages) stays bounded after a long stall.
MAX_BATCH = 500


def group_name(submission_id: int) -> str:
    """The channel-layer group every server serving this submission joins."""
    return f"{GROUP_PREFIX}{submission_id}"


class LoopPublisher:
    """Publishes on one event loop, in the order `publish` was called."""

    def __init__(self, loop: asyncio.AbstractEventLoop, layer: Any) -> None:
        self.loop = loop
        self.layer = layer
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self._started = threading.Event()
        self._failures = 0
        loop.call_soon_threadsafe(self._start)

    def _start(self) -> None:
        self.queue = asyncio.Queue()
        self._task = self.loop.create_task(self._drain())
        self._started.set()

    def publish(self, group: str, message: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self._enqueue, group, message)

    def _enqueue(self, group: str, message: dict[str, Any]) -> None:
        assert self.queue is not None
        self.queue.put_nowait((group, message))

    async def _drain(self) -> None:
        """Take whatever is queued, oldest first, and hand it to the layer.

        When this thread was starved of a core, a backlog waits here; one
        awaited round trip per message turned that stall into queueing for
        every event behind it. Everything queued goes out together instead,
        in order, through the layer's `group_send_many` where it has one.
        """
        assert self.queue is not None
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            try:
                await self._send(batch)
            finally:
                for _ in batch:
                    self.queue.task_done()

    async def _send(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        # Looked up on the type: channels_redis' layer proxies unknown
        # attributes to its per-loop layer, which has no such method.
        send_many = getattr(type(self.layer), "group_send_many", None)
        if send_many is not None and len(batch) > 1:
            # One unit: a failed batch is lost whole, as its round trip was.
            await self._guarded(functools.partial(send_many, self.layer, batch))
            return
        for group, message in batch:
            await self._guarded(functools.partial(self.layer.group_send, group, message))

    async def _guarded(self, sending: Callable[[], Awaitable[None]]) -> None:
        """Run one hand-over; a failure is logged once per outage and never ends the drain."""
        try:
            await sending()
            self._failures = 0
        except Exception:
            self._failures += 1
            # One line per outage, not a traceback per message.
            if self._failures == 1:
                logger.warning("channel layer publish failed; servers will resync from the event log", exc_info=True)

    def flush(self, timeout: float = 2.0) -> None:
        """Wait until everything queued so far was handed to the layer."""
        if not self._started.wait(timeout) or self.loop.is_closed():
            return
        done = asyncio.run_coroutine_threadsafe(self._join(), self.loop)
        try:
            done.result(timeout)
        except Exception:  # noqa: BLE001 - best effort at exit
            logger.debug("publisher flush timed out")

    async def _join(self) -> None:
        assert self.queue is not None
        await self.queue.join()


_lock = threading.Lock()
_server_publisher: LoopPublisher | None = None
_thread_publisher: tuple[int, LoopPublisher] | None = None


def register_server_loop(loop: asyncio.AbstractEventLoop, layer: Any) -> None:
    """Called by the hub when it starts: this process serves pages."""
    global _server_publisher
    with _lock:
        _server_publisher = LoopPublisher(loop, layer)


def unregister_server_loop() -> None:
    global _server_publisher
    with _lock:
        _server_publisher = None


def _background_publisher() -> LoopPublisher:
    """A daemon thread with its own loop, created lazily and once per process.

    Lazily, because Celery's prefork pool forks after import, and a thread
    does not survive a fork.
    """
    global _thread_publisher
    pid = os.getpid()
    with _lock:
        if _thread_publisher is None or _thread_publisher[0] != pid:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-publisher", daemon=True).start()
            _thread_publisher = (pid, LoopPublisher(loop, get_channel_layer()))
            atexit.register(_thread_publisher[1].flush)
        return _thread_publisher[1]


def publish(submission_id: int, message: dict[str, Any]) -> None:
    """Send one layer message to every server process serving the submission."""
    publish_to_group(group_name(submission_id), message)


def publish_to_group(group: str, message: dict[str, Any]) -> None:
    """Send one layer message to `group`, in this process's publishing order."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The in-memory layer lives in one loop of one process. Outside the
        # server process there is nobody to reach; the server's sweep picks
        # status events up from the event log instead.
        publisher = _server_publisher
        if publisher is None or publisher.loop.is_closed():
            return
    else:
        publisher = _background_publisher()
    publisher.publish(group, message)
