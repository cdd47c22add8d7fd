"""Run pages against a cluster while events flow and a fault strikes.

Shared by the fault tests: start pages, start an event source, inject the
fault, wait until traffic stops and pages settle, then check the invariant.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from e2e.history import read_history
from e2e.live_page import LivePage, invariant_violations
from e2e.server import ROOT, SiteProcess


@dataclass
class Scenario:
    database_url: str
    env: dict[str, str]
    pages: list[LivePage]
    submissions: list[int]

    def source(self, *, count: int, interval: float, padding: int = 0, batch: int = 1) -> subprocess.Popen[bytes]:
        pks = ",".join(str(pk) for pk in self.submissions)
        return subprocess.Popen(
            [sys.executable, "-m", "e2e.event_source", "--submissions", pks, "--count", str(count),
             "--interval", str(interval), "--padding", str(padding), "--batch", str(batch)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    async def settle(self, timeout: float = 60) -> None:
        """Wait until every page holds the database's last seq."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            latest = {pk: read_history(self.database_url, pk)[1]["last_seq"] for pk in self.submissions}
            if all(page.last_seq == latest[pk_of(page)] for page in self.pages):
                return
            await asyncio.sleep(0.2)

    def violations(self) -> list[str]:
        history = {pk: read_history(self.database_url, pk) for pk in self.submissions}
        problems = []
        for index, page in enumerate(self.pages):
            events, final = history[pk_of(page)]
            problems += [f"page {index} ({page.url}): {p}" for p in invariant_violations(page, events, final)]
        return problems


def pk_of(page: LivePage) -> int:
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def pages_for(servers: list[SiteProcess], cookie: str, submissions: list[int], per_pair: int) -> list[LivePage]:
    return [
        LivePage(url=f"{server.ws_url}/ws/submissions/{pk}/", cookie=cookie, origin=server.base_url)
        for server in servers
        for pk in submissions
        for _ in range(per_pair)
    ]


async def run_with_fault(
    scenario: Scenario,
    fault: Callable[[], Awaitable[None]],
    *,
    recover: Callable[[], Awaitable[None]] | None = None,
    count: int = 80,
    interval: float = 0.05,
    padding: int = 0,
    batch: int = 1,
) -> str:
    """Pages connect, events flow, `fault` strikes mid-stream; pages then settle.

    With `recover`, the fault lasts until the stream has ended: the last
    events then have no doorbell and no later event to reveal the gap.
    Returns what the event source wrote to stderr.
    """
    stop = asyncio.Event()
    tasks = [asyncio.ensure_future(page.run(stop)) for page in scenario.pages]
    # Getting every page live is set-up, not what these tests judge: allow for a
    # storm of thousands of first connects on a slow, shared machine.
    async with asyncio.timeout(30 + 0.03 * len(scenario.pages)):
        while not all(page.live for page in scenario.pages):
            await asyncio.sleep(0.05)
    source = scenario.source(count=count, interval=interval, padding=padding, batch=batch)
    await asyncio.sleep(count * interval / 4)
    await fault()
    _, err = await asyncio.to_thread(source.communicate, timeout=count * interval + 120)
    assert source.returncode == 0, err.decode()
    if recover is not None:
        await recover()
    await scenario.settle()
    stop.set()
    await asyncio.gather(*tasks)
    return err.decode()
