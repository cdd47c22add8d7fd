"""Which local sockets hear of which group, and the repair of what the channel layer lost.

The hub holds two sets of routes with this one class: submission sockets
keyed by submission id (`/ws/submissions/<pk>/`) and notification sockets
keyed by user id (`/ws/notifications/`). Either way the first socket of a key
joins that key's group on the process's single channel, the last one leaves
it, and the log sweep repairs a key whose sockets stay behind the event log.
What differs between the two, the group name, what "behind" means and what
a repair sends, is the routes' `Feed` (submissions_ws/feeds.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Subscriber(Protocol):
    """What the routes need from a socket."""

    session_key: str | None
    user_id: int | None

    def deliver(self, message: dict[str, Any]) -> None: ...

    def end_session(self) -> None: ...


# A gap the sweep found: item (a submission) -> (the key whose sockets miss it, seq they hold, last seq in the log).
Gaps = dict[int, tuple[int, int, int]]


class Feed(Protocol):
    """What one kind of route knows: its groups, its messages, and how to read the log."""

    # The field of a layer message naming the key it goes to ("submission" or "user").
    key_field: str
    # Whether a message still has to go out (False when it already went); None when
    # every message goes out, so the hub's dispatch of a status calls no feed code.
    fresh: Callable[[dict[str, Any]], bool] | None

    def group(self, key: int) -> str: ...

    async def joined(self, key: int) -> None:
        """The first socket of `key` joined its group: read whatever the feed starts from."""

    def left(self, key: int) -> None:
        """The last socket of `key` left: forget its state."""

    async def gaps(self, subscribers: Mapping[int, Collection[Subscriber]], waiting: set[int]) -> Gaps:
        """What the log holds that the sockets do not; `waiting` are keys with a gap from the last sweep."""

    async def repairs(self, due: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
        """The layer messages that close `due` (item -> (seq held, last seq))."""

    def clear(self) -> None: ...


class GroupChannel:
    """The process's one channel on the layer, shared by every route; joining never raises."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.name: str | None = None

    async def open(self) -> None:
        self.name = await self.layer.new_channel("hub.")

    async def receive(self) -> dict[str, Any]:
        return await self.layer.receive(self.name)

    async def join(self, group: str) -> bool:
        """Join `group`; False when the layer is down (the sweep still delivers meanwhile)."""
        try:
            await self.layer.group_add(group, self.name)
        except Exception:  # noqa: BLE001 - see the docstring
            return False
        return True

    async def leave(self, group: str) -> None:
        with contextlib.suppress(Exception):
            await self.layer.group_discard(group, self.name)


class Routes:
    """This process's sockets of one kind, by key, and their share of the log sweep."""

    def __init__(self, channel: GroupChannel, feed: Feed, *, confirm_sweeps: int) -> None:
        self.channel = channel
        self.feed = feed
        # With a cross-process layer an event may be committed but its
        # doorbell still in flight; only repair what stays behind this many
        # sweeps, so the database is not read for every message.
        self.confirm_sweeps = confirm_sweeps
        # Looked up once: `dispatch` runs for every layer message.
        self._key_field = feed.key_field
        self._fresh = feed.fresh
        self._subscribers: dict[int, set[Subscriber]] = {}
        # Item -> (key, last seq seen in the log, sweeps it has stayed behind).
        self._behind: dict[int, tuple[int, int, int]] = {}

    async def subscribe(self, key: int, subscriber: Subscriber) -> None:
        """Register a socket; the first of its key joins the group, then the feed reads its start.

        Join first, then read: an event committed in between is either in the
        read or rung after the join, so none falls between the two.
        """
        subscribers = self._subscribers.get(key)
        if subscribers is not None:
            subscribers.add(subscriber)
            return
        self._subscribers[key] = {subscriber}
        group = self.feed.group(key)
        if not await self.channel.join(group):
            logger.warning("could not join %s; relying on the event log", group)
        await self.feed.joined(key)

    async def unsubscribe(self, key: int, subscriber: Subscriber) -> None:
        """Forget a socket; the last of its key leaves the group."""
        subscribers = self._subscribers.get(key)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if subscribers:
            return
        del self._subscribers[key]
        self._behind = {item: gap for item, gap in self._behind.items() if gap[0] != key}
        self.feed.left(key)
        await self.channel.leave(self.feed.group(key))

    def detach(self, key: int, subscriber: Subscriber) -> None:
        """Stop handing events to a socket now (its sign-in ended); `unsubscribe` at disconnect leaves the group."""
        self._subscribers.get(key, set()).discard(subscriber)

    def subscribers_of(self, key: int) -> tuple[Subscriber, ...]:
        """The sockets of `key`, as a snapshot (a test reaches a consumer through it)."""
        return tuple(self._subscribers.get(key, ()))

    def served(self) -> set[int]:
        """The keys this process serves: every one has joined its group."""
        return set(self._subscribers)

    def members(self) -> Iterator[tuple[int, Subscriber]]:
        for key, subscribers in self._subscribers.items():
            for subscriber in subscribers:
                yield key, subscriber

    def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one layer message to every local socket of its key, unless it already went out."""
        subscribers = self._subscribers.get(message.get(self._key_field))  # type: ignore[arg-type]
        if not subscribers or (self._fresh is not None and not self._fresh(message)):
            return
        # deliver() only queues, never (un)subscribes, so no copy of the set.
        for subscriber in subscribers:
            subscriber.deliver(message)

    async def sweep(self) -> None:
        """Relay from the event log what stayed behind for more than `confirm_sweeps` sweeps."""
        waiting = {key for key, _seq, _rounds in self._behind.values()}
        gaps = await self.feed.gaps(self._subscribers, waiting)
        behind: dict[int, tuple[int, int, int]] = {}
        due: dict[int, tuple[int, int]] = {}
        for item, (key, held, last_seq) in gaps.items():
            _key, seen_before, rounds = self._behind.get(item, (key, 0, 0))
            # Still short of what the previous sweep saw: one more round behind.
            rounds = rounds + 1 if seen_before and held < seen_before else 1
            if rounds > self.confirm_sweeps:
                due[item] = (held, last_seq)
            else:
                behind[item] = (key, last_seq, rounds)
        self._behind = behind
        if due:
            for message in await self.feed.repairs(due):
                self.dispatch(message)

    async def rejoin(self) -> None:
        """Join every served group again: idempotent, and it outlives the layer's group expiry."""
        for key in tuple(self._subscribers):
            await self.channel.join(self.feed.group(key))

    async def stop(self) -> None:
        for key in tuple(self._subscribers):
            await self.channel.leave(self.feed.group(key))
        self._subscribers.clear()
        self._behind.clear()
        self.feed.clear()
