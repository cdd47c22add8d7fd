"""The socket behind `/ws/notifications/`: one per page, anywhere in the site.

It tells the signed-in person when one of their submissions changes status
(a toast, and the list page's rows). It follows the submission socket's
rules and reuses its pieces: the Origin is checked before accept (in
`config.asgi`), anonymous users get 4403, the sockets share the per-user cap
(4430) and the client frame rules and rate limit, and the hub closes them
with 4401 when the sign-in ends.

There is no replay: a notification is a nudge about where a submission is
now, and each page renders the current state from the server when it loads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.utils import timezone

from submissions.frames import PONG, encode
from submissions_ws import close_codes, user_selectors
from submissions_ws.consumers import MAX_SOCKETS_PER_USER, _sockets_per_user
from submissions_ws.hub import get_hub
from submissions_ws.parsing import FrameError, TokenBucket, parse_client_frame
from submissions_ws.user_hub import UserRoutes


class UserNotificationConsumer(AsyncWebsocketConsumer):
    # Like SubmissionConsumer: no channel per socket, the hub holds one per process.
    channel_layer_alias = "submissions_ws.hub-only"

    session_key: str | None = None

    async def connect(self) -> None:
        self.routes: UserRoutes | None = None
        self.writer: asyncio.Task[None] | None = None
        self.user_id: int | None = None
        self.bucket = TokenBucket()
        # The latest frame per submission, oldest first: a page that reads
        # slowly gets each submission's newest status, and memory is bounded
        # by how many submissions the person has.
        self.pending: OrderedDict[int, str] = OrderedDict()
        self.ready = asyncio.Event()
        user = self.scope.get("user")
        if not await database_sync_to_async(user_selectors.signed_in)(user):
            await self._refuse(close_codes.FORBIDDEN)
            return
        if _sockets_per_user.get(user.pk, 0) >= MAX_SOCKETS_PER_USER:
            await self._refuse(close_codes.TOO_MANY)
            return
        self.user_id = user.pk
        _sockets_per_user[user.pk] = _sockets_per_user.get(user.pk, 0) + 1
        self.session_key = getattr(self.scope.get("session"), "session_key", None)

        hub = await get_hub()
        self.routes = hub.users
        try:
            await self.routes.subscribe(user.pk, self)
        except DatabaseError:
            # Leave the group now rather than at disconnect: nothing is delivered to a refused page.
            await self.routes.unsubscribe(user.pk, self)
            await self._refuse(close_codes.TRY_AGAIN_LATER)
            return
        await self.accept()
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def _refuse(self, code: int) -> None:
        # Accept, then close: the page learns why from the close code.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer
        if self.routes is not None and self.user_id is not None:
            await self.routes.unsubscribe(self.user_id, self)
            self.routes = None
        if self.user_id is not None:
            remaining = _sockets_per_user.get(self.user_id, 1) - 1
            if remaining > 0:
                _sockets_per_user[self.user_id] = remaining
            else:
                _sockets_per_user.pop(self.user_id, None)
            self.user_id = None

    # -- hub side -----------------------------------------------------------

    def deliver(self, message: dict[str, Any]) -> None:
        """Queue the frame; never blocks the hub. A newer one replaces an unsent older one."""
        self.pending.pop(message["submission"], None)
        self.pending[message["submission"]] = message["frame"]
        self.ready.set()

    def end_session(self) -> None:
        """The sign-in behind this socket ended: stop delivering and close."""
        self.session_key = None
        if self.routes is not None and self.user_id is not None:
            self.routes.subscribers.get(self.user_id, set()).discard(self)
        if self.writer is not None:
            self.writer.cancel()
        asyncio.get_running_loop().create_task(self.close(code=close_codes.SESSION_ENDED))

    async def _write_loop(self) -> None:
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.pending:
                _submission, frame = self.pending.popitem(last=False)
                await self.send(text_data=frame)

    # -- client side --------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            await self.close(code=close_codes.RATE_LIMITED)
            return
        try:
            frame = parse_client_frame(text_data, bytes_data)
        except FrameError as error:
            await self.close(code=error.code)
            return
        if frame.kind == "ping":
            await self.send(text_data=encode({"type": PONG, "timestamp": timezone.now().isoformat()}))
        # A `resume` is accepted and ignored: this socket has no replay.
