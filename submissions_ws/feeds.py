"""What the two kinds of route differ in: their groups, their duplicates, and what the log sweep reads.

`SubmissionFeed` serves `/ws/submissions/<pk>/`: every status event, in seq
order, to every socket watching the submission (owner or staff). Each socket
skips the seqs it already holds and fills gaps itself (consumers.py), so
the sweep compares the lowest seq any socket holds with the log.

`UserFeed` serves `/ws/notifications/`: the owner's sockets hear where each
of their submissions is now. Only the owner's group is published to, so
staff watching a submission do not get its owner's notifications. There is
no replay; the feed remembers the highest seq delivered per submission, so
the doorbell and the sweep bringing the same event send it once, and the
sweep relays only the latest event of a submission that moved.

`StaffFeed` serves staff list pages (`/ws/notifications/?all=1`), which show
everyone's submissions: one key, one group, and the same "delivered" rule as
`UserFeed` over every submission, so a staff list tab needs one socket.

In all three, the event log backs the doorbell: that is how a `manage.py shell` in
another process reaches pages in the embedded default, and how a doorbell
lost to a Redis restart is repaired.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from channels.db import database_sync_to_async

from common import metrics
from submissions.events import STAFF_GROUP, STAFF_KEY, staff_event_message, user_group_name
from submissions.publishing import group_name
from submissions_ws import selectors, user_selectors
from submissions_ws.routes import Gaps, Subscriber


class SubmissionFeed:
    """Per-submission groups; a socket's `seq` is what it holds."""

    key_field = "submission"

    def group(self, key: int) -> str:
        return group_name(key)

    async def joined(self, key: int) -> None:
        # Each socket reads its own replay or snapshot after joining (consumers.py).
        return None

    def left(self, key: int) -> None:
        return None

    # Sockets hold different seqs; each one skips what it already sent (consumers.py).
    fresh = None

    async def gaps(self, subscribers: Mapping[int, Collection[Subscriber]], waiting: set[int]) -> Gaps:
        holding: dict[int, int] = {}
        for submission_id, sockets in subscribers.items():
            seqs = [s.seq for s in sockets if s.seq is not None]  # type: ignore[attr-defined]
            if seqs:
                holding[submission_id] = min(seqs)
        if not holding:
            return {}
        latest = await database_sync_to_async(selectors.last_seqs)(list(holding))
        return {
            submission_id: (submission_id, holding[submission_id], last_seq)
            for submission_id, last_seq in latest.items()
            if last_seq > holding[submission_id]
        }

    async def repairs(self, due: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
        # One query per round for every submission behind, not one each:
        # with many busy submissions a round must stay shorter than its period.
        messages = await database_sync_to_async(selectors.events_in_ranges)(due)
        metrics.sweep_repaired(len(messages))
        return messages

    def clear(self) -> None:
        return None


class UserFeed:
    """Per-user groups; what was delivered is remembered here, per user and submission."""

    key_field = "user"

    def __init__(self) -> None:
        # Per user, the highest seq delivered for each of their submissions:
        # the doorbell and the sweep may both bring an event; it goes out once.
        self.delivered: dict[int, dict[int, int]] = {}
        # Users whose starting point was read; only these are swept, or the
        # first sweep would announce every old event as new.
        self._ready: set[int] = set()
        # Per user, (submissions, sum of last seqs) as last read: a cheap
        # first look, one row per user, before reading any user's submissions.
        self._totals: dict[int, tuple[int, int]] = {}

    def group(self, key: int) -> str:
        return user_group_name(key)

    async def joined(self, key: int) -> None:
        """Read where each of the user's submissions is: those events are not news."""
        self.delivered.setdefault(key, {})
        start = await database_sync_to_async(user_selectors.owned_last_seqs)([key])
        delivered = self.delivered.get(key)
        if delivered is None:  # every socket of the user left during the read
            return
        for submission_id, (_owner, last_seq) in start.items():
            delivered[submission_id] = max(delivered.get(submission_id, 0), last_seq)
        self._totals[key] = (len(start), sum(last_seq for _owner, last_seq in start.values()))
        self._ready.add(key)

    def left(self, key: int) -> None:
        self.delivered.pop(key, None)
        self._totals.pop(key, None)
        self._ready.discard(key)

    def fresh(self, message: dict[str, Any]) -> bool:
        delivered = self.delivered.setdefault(message["user"], {})
        submission_id, seq = message["submission"], message["seq"]
        if seq <= delivered.get(submission_id, 0):
            return False
        delivered[submission_id] = seq
        return True

    async def gaps(self, subscribers: Mapping[int, Collection[Subscriber]], waiting: set[int]) -> Gaps:
        users = [user_id for user_id in subscribers if user_id in self._ready]
        if not users:
            return {}
        totals = await database_sync_to_async(user_selectors.owned_totals)(users)
        moved = [u for u in users if u in waiting or totals.get(u, (0, 0)) != self._totals.get(u)]
        self._totals.update({u: totals.get(u, (0, 0)) for u in moved})
        if not moved:
            return {}
        latest = await database_sync_to_async(user_selectors.owned_last_seqs)(moved)
        gaps: Gaps = {}
        for submission_id, (owner_id, last_seq) in latest.items():
            delivered = self.delivered.get(owner_id)
            if delivered is None:
                continue
            held = delivered.get(submission_id, 0)
            if last_seq > held:
                gaps[submission_id] = (owner_id, held, last_seq)
        return gaps

    async def repairs(self, due: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
        # Only the latest event of each: a notification says where a submission is now.
        return await database_sync_to_async(user_selectors.latest_user_events)(list(due))

    def clear(self) -> None:
        self.delivered.clear()
        self._ready.clear()
        self._totals.clear()


class StaffFeed:
    """One key (`STAFF_KEY`): staff sockets that follow every submission; delivered seqs per submission."""

    key_field = "staff"

    def __init__(self) -> None:
        self.delivered: dict[int, int] = {}
        # (submissions, sum of last seqs) as last read; None until the start is read.
        self._totals: tuple[int, int] | None = None

    def group(self, key: int) -> str:
        return STAFF_GROUP

    async def joined(self, key: int) -> None:
        """Read where every submission is: those events are not news."""
        start = await database_sync_to_async(user_selectors.all_last_seqs)()
        for submission_id, last_seq in start.items():
            self.delivered[submission_id] = max(self.delivered.get(submission_id, 0), last_seq)
        self._totals = (len(start), sum(start.values()))

    def left(self, key: int) -> None:
        self.clear()

    def fresh(self, message: dict[str, Any]) -> bool:
        submission_id, seq = message["submission"], message["seq"]
        if seq <= self.delivered.get(submission_id, 0):
            return False
        self.delivered[submission_id] = seq
        return True

    async def gaps(self, subscribers: Mapping[int, Collection[Subscriber]], waiting: set[int]) -> Gaps:
        if not subscribers or self._totals is None:
            return {}
        totals = await database_sync_to_async(user_selectors.all_totals)()
        if totals == self._totals and not waiting:
            return {}
        self._totals = totals
        latest = await database_sync_to_async(user_selectors.all_last_seqs)()
        return {
            submission_id: (STAFF_KEY, self.delivered.get(submission_id, 0), last_seq)
            for submission_id, last_seq in latest.items()
            if last_seq > self.delivered.get(submission_id, 0)
        }

    async def repairs(self, due: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
        # The owners' latest events, addressed to the staff key.
        owners = await database_sync_to_async(user_selectors.latest_user_events)(list(due))
        return [staff_event_message(message) for message in owners]

    def clear(self) -> None:
        self.delivered.clear()
        self._totals = None
