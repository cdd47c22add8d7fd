"""Turn a database outage during the WebSocket handshake into a retryable close.

The session and user are loaded before the consumer runs. If the database
is down then, the page should learn "try again later" (1013) and reconnect
with backoff, not get a failed handshake it cannot tell from a refusal.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.db import DatabaseError

from submissions_ws import close_codes

logger = logging.getLogger(__name__)


class DatabaseOutageGuard:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # `send` is passed through untouched: wrapping it would put a layer on
        # every frame this socket ever sends (measured in bench/RESULTS.md).
        try:
            await self.inner(scope, receive, send)
        except DatabaseError:
            logger.warning("database unavailable during a WebSocket handshake; asked the page to retry")
            # The consumer handles outages after accept itself, so an error
            # here almost always comes before accept; if not, accept fails.
            with contextlib.suppress(RuntimeError):
                await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": close_codes.TRY_AGAIN_LATER})
