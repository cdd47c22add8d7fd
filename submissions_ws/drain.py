"""Graceful drain on SIGTERM: say so, spread the socket closes, then let uvicorn stop.

uvicorn's own shutdown closes every socket with 1012 in the same instant, so
all their pages reconnect together into the remaining servers, and a load
balancer learns of the restart only when connects are refused. Instead:

1. `/readyz` answers 503 at once (`draining()`), and new sockets are refused
   with 1012, for `DRAIN_NOTICE_SECONDS`: the balancer takes the server out;
2. open sockets are closed with 1012, each at a random moment within
   `DRAIN_SPREAD_SECONDS`, so their reconnects are spread out as well;
3. uvicorn's own exit then runs (pending HTTP requests, the lifespan
   shutdown), with a graceful timeout that keeps the whole drain within
   `DRAIN_TIMEOUT_SECONDS` of the signal.

A second SIGTERM or SIGINT skips straight to step 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import Callable
from typing import Any

from django.conf import settings

from submissions_ws import close_codes
from submissions_ws.socket_base import open_sockets

logger = logging.getLogger(__name__)

_draining = False


def draining() -> bool:
    """Whether this process received SIGTERM and is on its way out."""
    return _draining


def close_times(count: int, spread: float) -> list[float]:
    """`count` moments in [0, spread), sorted: when to close each socket."""
    return sorted(random.uniform(0, spread) for _ in range(count))


async def close_sockets(*, spread: float) -> int:
    """Close every open socket with 1012 at random moments over `spread` seconds; returns how many."""
    sockets = list(open_sockets)
    random.shuffle(sockets)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for socket, at in zip(sockets, close_times(len(sockets), spread), strict=True):
        delay = start + at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if socket in open_sockets:
            with contextlib.suppress(Exception):
                await socket.close(code=close_codes.SERVICE_RESTART)
    return len(sockets)


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Put the drain in front of the server's SIGTERM handler (call from the lifespan startup).

    uvicorn installs its handlers with `signal.signal` before the lifespan
    starts, and restores them at exit; this chains to the one it installed.
    Only the main thread may set signal handlers, so elsewhere (tests that
    run the app in a thread) nothing changes.
    """
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except ValueError:  # pragma: no cover - not the main thread
        return
    if not callable(previous):
        return
    handler = _Handler(loop, previous)
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler.second)


class _Handler:
    def __init__(self, loop: asyncio.AbstractEventLoop, server_exit: Callable[[int, Any], Any]) -> None:
        self.loop = loop
        self.server_exit = server_exit
        self.task: asyncio.Task[None] | None = None

    def __call__(self, sig: int, frame: Any) -> None:
        global _draining
        if _draining:
            self.second(sig, frame)
            return
        _draining = True
        logger.info("SIGTERM: draining (notice %.1fs, spread %.1fs)", *_timing())
        self.loop.call_soon_threadsafe(self._start, sig)

    def second(self, sig: int, frame: Any) -> None:
        """Another signal during the drain, or SIGINT: stop now, the uvicorn way."""
        global _draining
        _draining = True
        if self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.server_exit(sig, frame)

    def _start(self, sig: int) -> None:
        self.task = self.loop.create_task(self._drain(sig))

    async def _drain(self, sig: int) -> None:
        notice, spread = _timing()
        try:
            await asyncio.sleep(notice)
            # The notice is over: take no new connections, so the pages closed below reconnect to
            # the other servers (or to this one's successor) instead of back into this one, and no
            # handshake is still half done when uvicorn's own shutdown closes what is left.
            stop_listening(self.server_exit)
            closed = await close_sockets(spread=spread)
            logger.info("drained %d sockets; stopping", closed)
        finally:
            self.server_exit(sig, None)


def stop_listening(server_exit: Callable[[int, Any], Any]) -> int:
    """Close uvicorn's listening sockets (open connections stay); returns how many were closed.

    `server_exit` is uvicorn's `Server.handle_exit`, bound to the running
    server, whose `servers` are the asyncio servers it accepts on.
    """
    server = getattr(server_exit, "__self__", None)
    listeners = list(getattr(server, "servers", None) or [])
    for listener in listeners:
        with contextlib.suppress(Exception):
            listener.close()
    return len(listeners)


def _timing() -> tuple[float, float]:
    return settings.DRAIN_NOTICE_SECONDS, settings.DRAIN_SPREAD_SECONDS
