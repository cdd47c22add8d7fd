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
import logging
import os
import threading
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

GROUP_PREFIX = "submission."
EVENT_TYPE = "submission.event"


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
        assert self.queue is not None
        while True:
            group, message = await self.queue.get()
            try:
                await self.layer.group_send(group, message)
                self._failures = 0
            except Exception:
                self._failures += 1
                # One line per outage, not a traceback per message.
                if self._failures == 1:
                    logger.warning(
                        "channel layer publish failed; servers will resync from the event log", exc_info=True
                    )
            finally:
                self.queue.task_done()

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
