"""`/metrics` of a real server with two uvicorn workers sums both workers, whichever answers."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from e2e.server import PYTHON, ROOT, SiteProcess, free_port

pytestmark = pytest.mark.e2e

SOCKETS = 12


@pytest.fixture
def two_workers(tmp_path):
    (tmp_path / "metrics").mkdir()
    site = SiteProcess.create(tmp_path, {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    site.port = free_port()
    log = (tmp_path / "server.log").open("ab")
    site.process = subprocess.Popen(
        [PYTHON, "-m", "config.serve", "--port", str(site.port), "--workers", "2"],
        cwd=ROOT,
        env=site.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{site.base_url}/healthz", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield site
    site.stop(signal.SIGTERM)


def scrape(site) -> str:
    with urllib.request.urlopen(f"{site.base_url}/metrics", timeout=5) as response:
        return response.read().decode()


def sample(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_every_scrape_sums_the_sockets_of_both_workers(two_workers):
    site = two_workers
    cookie = site.login()
    sockets = []
    for _ in range(SOCKETS):
        socket = await connect(
            f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
        )
        json.loads(await asyncio.wait_for(socket.recv(), 10))
        sockets.append(socket)
    try:
        # Each scrape is answered by whichever worker accepts it; every one must give the total.
        scrapes = [await asyncio.to_thread(scrape, site) for _ in range(6)]
    finally:
        for socket in sockets:
            await socket.close()

    name = 'submission_live_sockets_open{endpoint="submission"}'
    pid = site.process.pid
    workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    writers = {path.name for path in (site.workdir / "metrics").glob("gauge_livesum_*.db")}
    # Both uvicorn workers write their own file (the third child is multiprocessing's resource tracker).
    assert len({f"gauge_livesum_{worker}.db" for worker in workers} & writers) == 2
    assert [sample(text, name) for text in scrapes] == [float(SOCKETS)] * 6
    assert all(sample(text, 'submission_live_frames_sent_total{kind="snapshot"}') >= SOCKETS for text in scrapes)
    assert "submission_live_jobs_queued 0.0" in scrapes[0]
