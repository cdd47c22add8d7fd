"""One fan-out point per server process, for both kinds of socket.

The classic Channels pattern gives every socket its own channel and group
membership, so one event costs a channel-layer hop and a JSON encode per
socket, and a connect storm opens a subscription per socket. Here each
process has a single channel; it joins each watched submission's group
(`submission.<id>`) and each signed-in person's group (`user.<id>`) once,
receives a frame already encoded by `send_message`, and hands the same text
to every local socket's outbox. Both are one `Routes` class
(submissions_ws/routes.py) with a feed each (submissions_ws/feeds.py).

The channel layer is only a doorbell. The hub also sweeps the event log: it
compares each served submission's `last_seq` with what its sockets hold and
relays the missing events from the database. That is what carries events
written by other processes in the embedded default (`manage.py shell`), and
what repairs doorbells lost to a Redis restart or a dropped group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from submissions.publishing import register_server_loop, unregister_server_loop
from submissions_ws import sessions
from submissions_ws.feeds import SubmissionFeed, UserFeed
from submissions_ws.routes import GroupChannel, Routes, Subscriber

logger = logging.getLogger(__name__)


Handler = TypeVar("Handler", bound=Callable[..., None])


def layer_handler(method: Handler) -> Handler:
    """Mark a hub method as the handler of the layer message type it is named after."""
    method.handles_layer_messages = True  # type: ignore[attr-defined]
    return method


class Hub:
    """This process's channel, its two sets of routes, and the loops that keep them honest.

    Consumers call `hub.submissions` (keyed by submission id) and `hub.users`
    (keyed by user id): `subscribe`, `unsubscribe`. Layer messages go to the
    method named after their `type`, as in a Channels consumer
    (`submission.event` to `submission_event`).
    """

    def __init__(self, layer: Any, *, sweep_seconds: float, confirm_sweeps: int, session_seconds: float) -> None:
        self.layer = layer
        self.sweep_seconds = sweep_seconds
        self.session_seconds = session_seconds
        self.confirm_sweeps = confirm_sweeps
        self.channel = GroupChannel(layer)
        self.submissions = Routes(self.channel, SubmissionFeed(), confirm_sweeps=confirm_sweeps)
        # Each signed-in person's notification sockets (`/ws/notifications/`).
        self.users = Routes(self.channel, UserFeed(), confirm_sweeps=confirm_sweeps)
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._handlers: dict[str, Callable[[dict[str, Any]], None]] = {}

    @property
    def routes(self) -> tuple[Routes, Routes]:
        return (self.submissions, self.users)

    async def start(self) -> None:
        await self.channel.open()
        loop = asyncio.get_running_loop()
        # Re-joining is idempotent and outlives any group expiry the layer
        # applies to members that stay longer than it (86,400 s by default).
        rejoin_seconds = min(60.0, getattr(self.layer, "group_expiry", 86400) / 2)
        self._tasks = [
            loop.create_task(self._receive_loop()),
            loop.create_task(self._sweep_loop()),
            loop.create_task(self._every(self.session_seconds, self.end_ended_sessions)),
            loop.create_task(self._every(rejoin_seconds, self._rejoin_groups)),
        ]
        register_server_loop(loop, self.layer)

    async def stop(self) -> None:
        unregister_server_loop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for routes in self.routes:
            await routes.stop()

    def wake(self) -> None:
        """Ask for a sweep now (the layer came back: what did it miss?)."""
        self._wake.set()

    # -- layer messages, by type --------------------------------------------

    def handle(self, message: dict[str, Any]) -> None:
        """Call the handler named after the message's `type`; a type nobody handles is ignored."""
        kind = message.get("type")
        # Looked up once per type: this runs for every message the process receives.
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            handler = self._handler_for(kind)
            if handler is None:
                logger.debug("ignored a layer message of type %r", kind)
                return
            self._handlers[kind] = handler  # type: ignore[index]
        handler(message)

    def _handler_for(self, kind: object) -> Callable[[dict[str, Any]], None] | None:
        if not isinstance(kind, str):
            return None
        try:
            handler = getattr(self, get_handler_name({"type": kind}), None)
        except ValueError:  # a type with a leading underscore
            return None
        # Only methods marked as handlers: a type such as "sweep.seconds" must not reach another attribute.
        return handler if getattr(handler, "handles_layer_messages", False) else None

    @layer_handler
    def submission_event(self, message: dict[str, Any]) -> None:
        """A status or progress event, for every local socket of its submission."""
        self.submissions.dispatch(message)

    @layer_handler
    def user_event(self, message: dict[str, Any]) -> None:
        """A status notification, for every local notification socket of its owner."""
        self.users.dispatch(message)

    async def _receive_loop(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.channel.receive()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep serving from the event log
                failures += 1
                if failures == 1:
                    logger.warning("channel layer receive failed; serving from the event log until it recovers")
                await asyncio.sleep(min(5.0, 0.2 * failures))
                continue
            if failures:
                failures = 0
                logger.info("channel layer receive recovered")
                await self._rejoin_groups()
            try:
                self.handle(message)
            except Exception:  # a malformed message must not end the doorbells of every socket here
                logger.exception("could not route a layer message of type %r", message.get("type"))

    # -- the loops -----------------------------------------------------------

    async def _rejoin_groups(self) -> None:
        for routes in self.routes:
            await routes.rejoin()
        self.wake()

    async def _sweep_loop(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.sweep_seconds)
            self._wake.clear()
            await self.sweep()

    async def sweep(self) -> None:
        """Relay from the event log whatever some socket is missing, for both kinds of route."""
        for routes in self.routes:
            await self._guarded(routes.sweep)

    async def _every(self, seconds: float, duty: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self._guarded(duty)

    async def _guarded(self, duty: Callable[[], Awaitable[None]]) -> None:
        try:
            await duty()
        except asyncio.CancelledError:
            raise
        except Exception:  # database or layer briefly unavailable; next round
            logger.warning("%s failed; will retry", duty.__qualname__, exc_info=logger.isEnabledFor(logging.DEBUG))

    async def end_ended_sessions(self) -> None:
        """Close the sockets of sign-ins that ended (logout, password change, expiry)."""
        by_key: dict[str, list[tuple[Routes, int, Subscriber]]] = {}
        for routes in self.routes:
            for key, subscriber in routes.members():
                if subscriber.session_key:
                    by_key.setdefault(subscriber.session_key, []).append((routes, key, subscriber))
        if not by_key:
            return
        ended = await database_sync_to_async(sessions.ended_sessions)(set(by_key))
        if not ended:
            return
        # A key rotated while its person stayed signed in (a password change in that browser) carries on.
        followed = await database_sync_to_async(sessions.follow_rotations)(ended)
        for session_key in ended:
            new_key, user_id = followed.get(session_key, (None, None))
            for routes, key, subscriber in by_key[session_key]:
                if new_key is not None and str(subscriber.user_id) == user_id:
                    subscriber.session_key = new_key
                else:
                    routes.detach(key, subscriber)
                    subscriber.end_session()


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
_starting: dict[asyncio.AbstractEventLoop, asyncio.Future[Hub]] = {}


async def get_hub() -> Hub:
    """The hub of the running event loop, started on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is not None:
        return hub
    pending = _starting.get(loop)
    if pending is not None:
        return await asyncio.shield(pending)
    future: asyncio.Future[Hub] = loop.create_future()
    _starting[loop] = future
    try:
        layer = get_channel_layer()
        cross_process = not isinstance(layer, InMemoryChannelLayer)
        hub = Hub(
            layer,
            sweep_seconds=settings.REALTIME_SWEEP_SECONDS,
            confirm_sweeps=1 if cross_process else 0,
            session_seconds=settings.REALTIME_SESSION_CHECK_SECONDS,
        )
        await hub.start()
        _hubs[loop] = hub
        future.set_result(hub)
        return hub
    except BaseException as exc:
        future.set_exception(exc)
        raise
    finally:
        _starting.pop(loop, None)


async def stop_hub() -> None:
    """Stop this loop's hub (server shutdown, test teardown)."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.stop()
