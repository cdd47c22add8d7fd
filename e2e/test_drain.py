"""SIGTERM drains a real server, alone or as two uvicorn workers: /readyz says 503 first,
sockets close with 1012 spread out, and the process exits within the bound."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from e2e.server import SiteProcess

pytestmark = pytest.mark.e2e

SOCKETS = 20
SPREAD = 3.0
BOUND = 8.0


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def draining_site(tmp_path):
    site = SiteProcess.create(
        tmp_path,
        {"DRAIN_NOTICE_SECONDS": "1", "DRAIN_SPREAD_SECONDS": str(SPREAD), "DRAIN_TIMEOUT_SECONDS": str(BOUND)},
    )
    site.start()
    yield site
    site.stop(signal.SIGKILL)


def accepts_connections(site) -> bool:
    """Whether the server still takes new TCP connections."""
    try:
        socket.create_connection(("127.0.0.1", site.port), timeout=1).close()
    except OSError:
        return False
    return True


def metrics_text(site) -> str:
    with urllib.request.urlopen(f"{site.base_url}/metrics", timeout=2) as response:
        return response.read().decode()


async def refused_code(site, cookie: str) -> int | None:
    """A socket opened while the server drains is closed at once; its close code."""
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        try:
            await asyncio.wait_for(socket.recv(), 5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


async def hold(site, cookie: str, closes: list[tuple[float, int | None]]) -> None:
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        json.loads(await asyncio.wait_for(socket.recv(), 10))
        try:
            await socket.recv()
        except ConnectionClosed as closed:
            closes.append((time.monotonic(), closed.rcvd.code if closed.rcvd else None))


async def test_sigterm_says_not_ready_then_spreads_1012_closes_and_exits_in_bound(draining_site):
    site = draining_site
    cookie = site.login()
    closes: list[tuple[float, int | None]] = []
    holders = [asyncio.create_task(hold(site, cookie, closes)) for _ in range(SOCKETS)]
    open_line = f'submission_live_sockets_open{{endpoint="submission"}} {float(SOCKETS)}'
    deadline = time.monotonic() + 20
    while open_line not in await asyncio.to_thread(metrics_text, site) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert open_line in metrics_text(site)
    assert status_of(f"{site.base_url}/readyz") == 200

    signalled = time.monotonic()
    site.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.3)
    ready_during_drain = await asyncio.to_thread(status_of, f"{site.base_url}/readyz")
    alive_during_drain = await asyncio.to_thread(status_of, f"{site.base_url}/healthz")
    refused_during_drain = await refused_code(site, cookie)
    # Once the notice is over the server takes no new connections, so closed pages go elsewhere.
    await asyncio.sleep(max(0.0, signalled + 1.5 - time.monotonic()))
    accepting_after_notice = await asyncio.to_thread(accepts_connections, site)
    open_after_notice = len(closes) < SOCKETS
    await asyncio.wait_for(asyncio.gather(*holders), BOUND + 5)
    exited = await asyncio.to_thread(site.process.wait, BOUND + 5)
    finished = time.monotonic() - signalled

    assert ready_during_drain == 503
    assert alive_during_drain == 200
    assert refused_during_drain == 1012
    assert open_after_notice, "every socket was closed at once"
    assert not accepting_after_notice
    assert [code for _, code in closes] == [1012] * SOCKETS
    times = sorted(at - signalled for at, _ in closes)
    assert times[0] >= 0.9, "sockets closed before the notice period ended"
    assert times[-1] - times[0] >= 1.0, f"closes were not spread out: {times}"
    assert times[-1] <= 1.0 + SPREAD + 1.0
    assert finished <= BOUND + 2, f"the server took {finished:.1f}s to exit"
    assert exited is not None


@pytest.fixture
def two_worker_site(tmp_path):
    """`make run-distributed`'s web: one uvicorn parent and two workers sharing the port."""
    (tmp_path / "metrics").mkdir()
    site = SiteProcess.create(
        tmp_path,
        {
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "DRAIN_NOTICE_SECONDS": "1",
            "DRAIN_SPREAD_SECONDS": str(SPREAD),
            "DRAIN_TIMEOUT_SECONDS": str(BOUND),
        },
    )
    site.start(workers=2)
    deadline = time.monotonic() + 40
    while status_of_quietly(f"{site.base_url}/readyz") != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    yield site
    if site.process.poll() is None:
        site.process.kill()
        site.process.wait()
    for child in workers_of(site):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def status_of_quietly(url: str) -> int | None:
    try:
        return status_of(url)
    except OSError:
        return None


def workers_of(site) -> list[int]:
    pid = site.process.pid
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def sockets_per_worker(site) -> dict[int, float]:
    """Sockets each worker process holds now, read from its own multiprocess metrics file."""
    held = {}
    for path in (site.workdir / "metrics").glob("gauge_livesum_*.db"):
        values = MmapedDict.read_all_values_from_file(str(path))
        held[int(path.stem.rsplit("_", 1)[1])] = sum(
            entry[1] for entry in values if '"submission_live_sockets_open"' in entry[0] and '"submission"' in entry[0]
        )
    return held


async def test_with_two_workers_sigterm_drains_both_spread_out_and_the_parent_exits_in_bound(two_worker_site):
    site = two_worker_site
    cookie = site.login()
    closes: list[tuple[float, int | None]] = []
    holders: list[asyncio.Task[None]] = []
    # The kernel hands each connect to whichever worker accepts first: open until both hold some.
    async with asyncio.timeout(30):
        while True:
            holders += [asyncio.create_task(hold(site, cookie, closes)) for _ in range(10)]
            while sum(sockets_per_worker(site).values()) < len(holders):
                await asyncio.sleep(0.1)
            held = sockets_per_worker(site)
            if len(holders) >= SOCKETS and len(held) == 2 and min(held.values()) >= 3:
                break
    workers = workers_of(site)
    assert set(held) <= set(workers)

    signalled = time.monotonic()
    site.process.send_signal(signal.SIGTERM)  # the parent, as systemd and honcho signal it
    # uvicorn's parent passes the signal on to its workers within half a second (its loop's tick).
    async with asyncio.timeout(2):
        while await asyncio.to_thread(status_of_quietly, f"{site.base_url}/readyz") != 503:
            await asyncio.sleep(0.05)
    not_ready = time.monotonic() - signalled
    # Whichever worker answers, it is draining.
    ready = [await asyncio.to_thread(status_of_quietly, f"{site.base_url}/readyz") for _ in range(6)]
    refused = await refused_code(site, cookie)
    # After the notice neither worker nor the parent holds the port: a reconnecting page is refused
    # at once and goes to another server, instead of waiting in a backlog nobody accepts from.
    await asyncio.sleep(max(0.0, signalled + not_ready + 1.5 - time.monotonic()))
    accepting_after_notice = await asyncio.to_thread(accepts_connections, site)
    await asyncio.wait_for(asyncio.gather(*holders), BOUND + 5)
    exited = await asyncio.to_thread(site.process.wait, BOUND + 5)
    finished = time.monotonic() - signalled

    assert not accepting_after_notice
    assert not_ready <= 0.8
    assert ready == [503] * 6
    assert refused == 1012
    assert [code for _, code in closes] == [1012] * len(holders)
    times = sorted(at - signalled for at, _ in closes)
    assert times[0] >= not_ready + 0.9, "sockets closed before the notice period ended"
    assert times[-1] - times[0] >= 1.0, f"closes were not spread out: {times}"
    # Not bunched at one instant either: no half-second holds more than half of them.
    assert max(sum(1 for t in times if start <= t < start + 0.5) for start in times) <= len(times) / 2, times
    assert times[-1] <= 1.0 + SPREAD + 1.0
    assert exited == 0
    assert finished <= BOUND + 2, f"the server took {finished:.1f}s to exit"
    assert not any(Path(f"/proc/{worker}").exists() for worker in held), "a worker outlived the parent"
