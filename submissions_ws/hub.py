"""One fan-out point per server process.

The classic Channels pattern gives every socket its own channel and group
membership, so one event costs a channel-layer hop and a JSON encode per
socket, and a connect storm opens a subscription per socket. Here each
process joins each submission's group once, on a single channel, receives a
frame already encoded by `send_message`, and hands the same text to every
local socket's outbox.

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
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from common import metrics
from submissions.publishing import group_name, register_server_loop, unregister_server_loop
from submissions.user_frames import USER_EVENT_TYPE
from submissions_ws import selectors, sessions
from submissions_ws.user_hub import UserRoutes, UserSubscriber

logger = logging.getLogger(__name__)


class Subscriber(Protocol):
    """What the hub needs from a socket."""

    seq: int | None
    session_key: str | None
    user_id: int | None

    def deliver(self, message: dict[str, Any]) -> None: ...

    def end_session(self) -> None: ...


class Hub:
    """Routes layer messages and swept events to this process's sockets."""

    def __init__(self, layer: Any, *, sweep_seconds: float, confirm_sweeps: int, session_seconds: float) -> None:
        self.layer = layer
        self.sweep_seconds = sweep_seconds
        self.session_seconds = session_seconds
        # With a cross-process layer an event may be committed but its
        # doorbell still in flight; only repair what stays behind this many
        # sweeps, so the database is not read for every message.
        self.confirm_sweeps = confirm_sweeps
        self.channel: str | None = None
        self.subscribers: dict[int, set[Subscriber]] = {}
        self._behind: dict[int, tuple[int, int]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        # Each signed-in person's notification sockets (`/ws/notifications/`).
        self.users = UserRoutes(self)

    async def start(self) -> None:
        self.channel = await self.layer.new_channel("hub.")
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
        for submission_id in tuple(self.subscribers):
            with contextlib.suppress(Exception):
                await self.layer.group_discard(group_name(submission_id), self.channel)
        self.subscribers.clear()
        await self.users.stop()

    async def subscribe(self, submission_id: int, subscriber: Subscriber) -> None:
        """Register a socket; join the submission's group if it is the first."""
        subscribers = self.subscribers.get(submission_id)
        if subscribers is None:
            subscribers = self.subscribers[submission_id] = set()
            subscribers.add(subscriber)
            try:
                await self.layer.group_add(group_name(submission_id), self.channel)
            except Exception:  # noqa: BLE001 - the sweep still delivers while the layer is down
                logger.warning("could not join group for submission %s; relying on the event log", submission_id)
        else:
            subscribers.add(subscriber)

    async def unsubscribe(self, submission_id: int, subscriber: Subscriber) -> None:
        subscribers = self.subscribers.get(submission_id)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self.subscribers[submission_id]
            self._behind.pop(submission_id, None)
            with contextlib.suppress(Exception):
                await self.layer.group_discard(group_name(submission_id), self.channel)

    def wake(self) -> None:
        """Ask for a sweep now (the layer came back: what did it miss?)."""
        self._wake.set()

    def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one event to every local socket of its submission."""
        subscribers = self.subscribers.get(message.get("submission"))  # type: ignore[arg-type]
        if not subscribers:
            return
        # deliver() only queues, never (un)subscribes, so no copy of the set.
        for subscriber in subscribers:
            subscriber.deliver(message)

    async def _receive_loop(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
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
            if message.get("type") == "submission.event":
                self.dispatch(message)
            elif message.get("type") == USER_EVENT_TYPE:
                self.users.dispatch(message)

    async def _rejoin_groups(self) -> None:
        for submission_id in tuple(self.subscribers):
            with contextlib.suppress(Exception):
                await self.layer.group_add(group_name(submission_id), self.channel)
        await self.users.rejoin()
        self.wake()

    async def _sweep_loop(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.sweep_seconds)
            self._wake.clear()
            await self._guarded(self.sweep)
            await self._guarded(self.users.sweep)

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
            logger.warning("%s failed; will retry", duty.__name__, exc_info=logger.isEnabledFor(logging.DEBUG))

    async def sweep(self) -> None:
        """Relay from the event log whatever some socket is missing."""
        holding: dict[int, int] = {}
        for submission_id, subscribers in self.subscribers.items():
            seqs = [s.seq for s in subscribers if s.seq is not None]
            if seqs:
                holding[submission_id] = min(seqs)
        if not holding:
            return
        latest = await database_sync_to_async(selectors.last_seqs)(list(holding))
        behind: dict[int, tuple[int, int]] = {}
        due: dict[int, tuple[int, int]] = {}
        for submission_id, last_seq in latest.items():
            held = holding[submission_id]
            if last_seq <= held:
                continue
            seen_before, rounds = self._behind.get(submission_id, (0, 0))
            rounds = rounds + 1 if seen_before and held < seen_before else 1
            if rounds > self.confirm_sweeps:
                due[submission_id] = (held, last_seq)
            else:
                behind[submission_id] = (last_seq, rounds)
        self._behind = behind
        if due:
            # One query per round for every submission behind, not one each:
            # with many busy submissions a round must stay shorter than its period.
            repairs = await database_sync_to_async(selectors.events_in_ranges)(due)
            metrics.sweep_repaired(len(repairs))
            for message in repairs:
                self.dispatch(message)

    async def end_ended_sessions(self) -> None:
        """Close the sockets of sign-ins that ended (logout, password change, expiry)."""
        by_key: dict[str, list[Subscriber | UserSubscriber]] = {}
        for subscribers in self.subscribers.values():
            for subscriber in subscribers:
                if subscriber.session_key:
                    by_key.setdefault(subscriber.session_key, []).append(subscriber)
        for user_socket in self.users.sockets():
            if user_socket.session_key:
                by_key.setdefault(user_socket.session_key, []).append(user_socket)
        if not by_key:
            return
        ended = await database_sync_to_async(sessions.ended_sessions)(set(by_key))
        if not ended:
            return
        # A key rotated while its person stayed signed in (a password change in that browser) carries on.
        followed = await database_sync_to_async(sessions.follow_rotations)(ended)
        for key in ended:
            new_key, user_id = followed.get(key, (None, None))
            for subscriber in by_key[key]:
                if new_key is not None and str(subscriber.user_id) == user_id:
                    subscriber.session_key = new_key
                else:
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
