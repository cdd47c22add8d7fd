"""The socket behind `/ws/notifications/`: one per page, anywhere in the site.

It tells the signed-in person when one of their submissions changes status
(a toast, and the list page's rows). It follows the submission socket's
rules and reuses its pieces: the Origin is checked before accept (in
`config.asgi`), anonymous users get 4403, the sockets share the per-user cap
(4430) and the client frame rules and rate limit, and the hub closes them
with 4401 when the sign-in ends.

Staff may ask for every submission's events (`?all=1`, the list page, which
shows everyone's submissions); anyone else asking gets their own as usual.

There is no replay: a notification is a nudge about where a submission is
now, and each page renders the current state from the server when it loads.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.utils import timezone

from common import metrics
from submissions.events import PONG, STAFF_KEY, encode
from submissions_ws import close_codes, drain, user_selectors
from submissions_ws.auth import surely_anonymous
from submissions_ws.hub import get_hub
from submissions_ws.parsing import ClientFrame
from submissions_ws.routes import Routes
from submissions_ws.socket_base import LiveSocket


class UserNotificationConsumer(LiveSocket):
    endpoint = "notifications"
    # What `disconnect` leaves, None until `connect` joined it (it may run for a socket that never connected).
    routes: Routes | None = None
    staff_routes: Routes | None = None

    async def connect(self) -> None:
        self.reset_socket_state()
        # The latest frame per submission, oldest first: a page that reads
        # slowly gets each submission's newest status, and memory is bounded
        # by how many submissions the person has.
        self.pending: OrderedDict[int, str] = OrderedDict()
        if drain.draining():
            await self.refuse(close_codes.SERVICE_RESTART)
            return
        if surely_anonymous(self.scope):
            await self.refuse(close_codes.FORBIDDEN)
            return
        try:
            user = await database_sync_to_async(user_selectors.signed_in_user)(self.scope)
        except DatabaseError:
            await self.refuse(close_codes.TRY_AGAIN_LATER)
            return
        if user is None:
            await self.refuse(close_codes.FORBIDDEN)
            return
        if not await self.claim_slot(user):
            await self.refuse(close_codes.TOO_MANY)
            return

        hub = await get_hub()
        self.routes = hub.users
        if user.is_staff and wants_everyone(self.scope):
            self.staff_routes = hub.staff
        try:
            await self.routes.subscribe(user.pk, self)
            if self.staff_routes is not None:
                await self.staff_routes.subscribe(STAFF_KEY, self)
        except DatabaseError:
            # Leave the groups now rather than at disconnect: nothing is delivered to a refused page.
            await self._leave_routes(user.pk)
            await self.refuse(close_codes.TRY_AGAIN_LATER)
            return
        await self.accept()
        self.go_live()

    async def disconnect(self, code: int) -> None:
        await self.stop_writer()
        if self.user_id is not None:
            await self._leave_routes(self.user_id)
        await self.release_slot()

    async def _leave_routes(self, user_id: int) -> None:
        if self.routes is not None:
            await self.routes.unsubscribe(user_id, self)
            self.routes = None
        if self.staff_routes is not None:
            await self.staff_routes.unsubscribe(STAFF_KEY, self)
            self.staff_routes = None

    # -- hub side -----------------------------------------------------------

    def deliver(self, message: dict[str, Any]) -> None:
        """Write or queue the frame; never blocks the hub. A newer one replaces an unsent older one."""
        if self.try_write_now(message):
            metrics.frame_sent("notification")
            return
        self.pending.pop(message["submission"], None)
        self.pending[message["submission"]] = message["frame"]
        self.wake_writer()

    def end_session(self) -> None:
        """The sign-in behind this socket ended (the hub no longer delivers to it): close."""
        self.close_for_ended_session()

    def has_pending(self) -> bool:
        return bool(self.pending)

    async def write_pending(self) -> None:
        while self.pending:
            frames = list(self.pending.values())
            self.pending.clear()
            await self.write_frames(frames)
            metrics.frame_sent("notification", len(frames))

    # -- client side --------------------------------------------------------

    async def on_client_frame(self, frame: ClientFrame) -> None:
        if frame.kind == "ping":
            await self.send(text_data=encode({"type": PONG, "timestamp": timezone.now().isoformat()}))
            metrics.frame_sent("pong")
        # A `resume` is accepted and ignored: this socket has no replay.


def wants_everyone(scope: dict[str, Any]) -> bool:
    """Whether the page asked for every submission's events (`?all=1`)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("all") == ["1"]
