"""SIGTERM drains a real server: /readyz says 503 first, sockets close with 1012 spread out, exit within the bound."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
import urllib.error
import urllib.request

import pytest
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
