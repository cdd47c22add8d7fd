"""A page, as far as the protocol goes: what `static/submissions/detail.js` does.

It applies status frames strictly in seq order, asks to resume on a gap,
keeps the latest progress per phase, and reconnects by itself with backoff
and full jitter, resuming from the last seq it holds. Fault tests run many
of these against real servers and compare what each holds with the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

FINAL_CODES = {4401, 4403}


@dataclass
class LivePage:
    url: str  # ws://host:port/ws/submissions/<pk>/
    cookie: str
    origin: str
    last_seq: int = 0
    events: list[tuple[int, int, str]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    progress: dict[str, dict[str, int]] = field(default_factory=dict)
    connects: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    duplicates: int = 0
    resumes: int = 0
    base_delay: float = 0.2
    max_delay: float = 3.0
    live: bool = False
    # (low, high): leave and come back every uniform(low, high) seconds, as a
    # person who keeps reloading or a flaky network does.
    churn: tuple[float, float] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until `stop` is set, reconnecting like the page does."""
        attempt = 0
        while not stop.is_set():
            try:
                async with connect(
                    f"{self.url}?since={self.last_seq}",
                    additional_headers={"Cookie": self.cookie},
                    origin=self.origin,
                    open_timeout=30,
                    ping_interval=None,
                ) as socket:
                    self.connects += 1
                    self.live = True
                    attempt = 0
                    await self._read(socket, stop)
                    if stop.is_set():
                        return
                    if self.churn is not None:
                        continue  # left on purpose: come back at once, from last_seq
            except ConnectionClosed as closed:
                self.close_codes.append(closed.rcvd.code if closed.rcvd else None)
            # InvalidHandshake covers a refused handshake (InvalidStatus) and a server that
            # closed the connection mid-handshake while shutting down (InvalidMessage): a
            # browser sees both as a failed connect and reconnects.
            except (OSError, InvalidHandshake, TimeoutError) as error:
                self.close_codes.append(getattr(getattr(error, "response", None), "status_code", None))
            self.live = False
            if self.close_codes and self.close_codes[-1] in FINAL_CODES:
                return
            attempt += 1
            # Full jitter: spread reconnects so a restart is not a thundering herd.
            delay = random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    async def _read(self, socket: Any, stop: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(
            stop.wait() if self.churn is None else asyncio.wait_for(stop.wait(), random.uniform(*self.churn))
        )
        try:
            while True:
                receiver = asyncio.ensure_future(socket.recv())
                done, _ = await asyncio.wait({receiver, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if receiver not in done:
                    receiver.cancel()
                    with contextlib.suppress(BaseException):
                        stopper.result()  # a churn timeout ends this visit
                    return
                gap = self.apply(json.loads(receiver.result()))
                if gap:
                    self.resumes += 1
                    await socket.send(json.dumps({"type": "resume", "since": self.last_seq}))
        finally:
            stopper.cancel()

    def apply(self, frame: dict[str, Any]) -> bool:
        """Apply one frame; returns True when a gap was seen."""
        kind, seq = frame["type"], frame["seq"]
        if kind == "snapshot":
            self.state = frame
            self.last_seq = seq
        elif kind == "status":
            if seq <= self.last_seq:
                self.duplicates += 1
            elif seq > self.last_seq + 1:
                return True
            else:
                self.events.append((seq, frame["status"], frame["notification_message"]))
                self.state = frame
                self.last_seq = seq
        elif kind == "progress" and seq >= self.last_seq:
            self.progress[frame["progress"]["phase"]] = frame["progress"]
        return False


def invariant_violations(page: LivePage, events: list[tuple[int, int, str]], final: dict[str, Any]) -> list[str]:
    """What keeps `page` from holding exactly the database's history and state."""
    problems = []
    if page.duplicates:
        # The server promises each status event once per connection; a page
        # that had to drop repeats was sent a frame it should never have got.
        problems.append(f"{page.duplicates} duplicate status frames received")
    if page.events != events:
        held = [seq for seq, *_ in page.events]
        problems.append(f"events differ: page holds {len(held)} (first {held[:3]}, last {held[-3:]}), db {len(events)}")
    for key in ("status", "notification_message"):
        if page.state.get(key) != final[key]:
            problems.append(f"{key}: page {page.state.get(key)!r} != db {final[key]!r}")
    return problems
