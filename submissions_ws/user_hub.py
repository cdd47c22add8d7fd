"""The hub's per-user routes: each person's status notifications.

A page anywhere in the site holds one socket on `/ws/notifications/`. As with
submissions, the process's hub joins each user's group (`user.<id>`) once,
on its single channel, and hands the encoded frame to that user's sockets.
Only the owner's group is published to, so staff watching a submission do
not get its owner's notifications.

The event log backs the doorbell here too: every sweep compares the
`last_seq` of the connected users' submissions with the highest seq already
delivered, and relays the latest event of any submission that moved. That is
how a `manage.py shell` in another process reaches toasts in the embedded
default, and how a lost Redis doorbell is repaired.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

from channels.db import database_sync_to_async

from submissions.user_frames import user_group_name
from submissions_ws import user_selectors

if TYPE_CHECKING:
    from submissions_ws.hub import Hub

logger = logging.getLogger(__name__)


class UserSubscriber(Protocol):
    """What the routes need from a notification socket."""

    session_key: str | None
    user_id: int | None

    def deliver(self, message: dict[str, Any]) -> None: ...

    def end_session(self) -> None: ...


class UserRoutes:
    """Routes user events to this process's notification sockets."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.subscribers: dict[int, set[UserSubscriber]] = {}
        # Per user, the highest seq delivered for each of their submissions:
        # the doorbell and the sweep may both bring an event; it goes out once.
        self.delivered: dict[int, dict[int, int]] = {}
        # Users whose starting point was read; only these are swept, or the
        # first sweep would announce every old event as new.
        self._ready: set[int] = set()
        # Submission -> (owner, last seq seen in the log, sweeps it has stayed behind).
        self._behind: dict[int, tuple[int, int, int]] = {}
        # Per user, (submissions, sum of last seqs) as last read: a cheap
        # first look, one row per user, before reading any user's submissions.
        self._totals: dict[int, tuple[int, int]] = {}

    async def subscribe(self, user_id: int, subscriber: UserSubscriber) -> None:
        """Register a socket; the first of a user joins the group and reads where each submission is.

        Join first, then read: an event committed in between is either in the
        read (and not announced) or rung after the join (and announced once).
        """
        subscribers = self.subscribers.get(user_id)
        if subscribers is not None:
            subscribers.add(subscriber)
            return
        self.subscribers[user_id] = {subscriber}
        self.delivered[user_id] = {}
        try:
            await self.hub.layer.group_add(user_group_name(user_id), self.hub.channel)
        except Exception:  # noqa: BLE001 - the sweep still delivers while the layer is down
            logger.warning("could not join the group of user %s; relying on the event log", user_id)
        start = await database_sync_to_async(user_selectors.owned_last_seqs)([user_id])
        delivered = self.delivered.get(user_id)
        if delivered is None:  # every socket of the user left during the read
            return
        for submission_id, (_owner, last_seq) in start.items():
            delivered[submission_id] = max(delivered.get(submission_id, 0), last_seq)
        self._totals[user_id] = (len(start), sum(last_seq for _owner, last_seq in start.values()))
        self._ready.add(user_id)

    async def unsubscribe(self, user_id: int, subscriber: UserSubscriber) -> None:
        subscribers = self.subscribers.get(user_id)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if subscribers:
            return
        del self.subscribers[user_id]
        self.delivered.pop(user_id, None)
        self._totals.pop(user_id, None)
        self._ready.discard(user_id)
        with contextlib.suppress(Exception):
            await self.hub.layer.group_discard(user_group_name(user_id), self.hub.channel)

    def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one user event to the user's sockets, unless it was already delivered."""
        user_id = message.get("user")
        subscribers = self.subscribers.get(user_id)  # type: ignore[arg-type]
        if not subscribers:
            return
        delivered = self.delivered[user_id]  # type: ignore[index]
        submission_id, seq = message["submission"], message["seq"]
        if seq <= delivered.get(submission_id, 0):
            return
        delivered[submission_id] = seq
        for subscriber in subscribers:
            subscriber.deliver(message)

    def sockets(self) -> list[UserSubscriber]:
        return [subscriber for subscribers in self.subscribers.values() for subscriber in subscribers]

    async def sweep(self) -> None:
        """Relay from the event log the latest event of any submission whose doorbell did not come."""
        users = [user_id for user_id in self.subscribers if user_id in self._ready]
        if not users:
            self._behind = {}
            return
        totals = await database_sync_to_async(user_selectors.owned_totals)(users)
        waiting = {owner_id for owner_id, _seq, _rounds in self._behind.values()}
        moved = [u for u in users if u in waiting or totals.get(u, (0, 0)) != self._totals.get(u)]
        self._totals.update({u: totals.get(u, (0, 0)) for u in moved})
        if not moved:
            self._behind = {}
            return
        latest = await database_sync_to_async(user_selectors.owned_last_seqs)(moved)
        behind: dict[int, tuple[int, int, int]] = {}
        due = []
        for submission_id, (owner_id, last_seq) in latest.items():
            delivered = self.delivered.get(owner_id)
            if delivered is None:
                continue
            held = delivered.get(submission_id, 0)
            if last_seq <= held:
                continue
            # As in Hub.sweep: with a cross-process layer, repair only what
            # stays behind across sweeps, so a doorbell in flight is not raced.
            _owner, seen_before, rounds = self._behind.get(submission_id, (owner_id, 0, 0))
            rounds = rounds + 1 if seen_before and held < seen_before else 1
            if rounds > self.hub.confirm_sweeps:
                due.append(submission_id)
            else:
                behind[submission_id] = (owner_id, last_seq, rounds)
        self._behind = behind
        if due:
            for message in await database_sync_to_async(user_selectors.latest_user_events)(due):
                self.dispatch(message)

    async def rejoin(self) -> None:
        for user_id in tuple(self.subscribers):
            with contextlib.suppress(Exception):
                await self.hub.layer.group_add(user_group_name(user_id), self.hub.channel)

    async def stop(self) -> None:
        for user_id in tuple(self.subscribers):
            with contextlib.suppress(Exception):
                await self.hub.layer.group_discard(user_group_name(user_id), self.hub.channel)
        self.subscribers.clear()
        self.delivered.clear()
        self._ready.clear()
