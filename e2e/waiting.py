"""Waiting for what another process does, which no frame announces (a log line, a row, a port)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], bool], timeout: float = 60, every: float = 0.2) -> None:
    """Poll `condition` in a thread (it may block on a file or a database) until it holds, for `timeout` at most."""
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(condition):
            await asyncio.sleep(every)
