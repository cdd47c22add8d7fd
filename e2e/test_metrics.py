"""`/metrics` of real servers: two uvicorn workers summed whichever answers, a Celery worker's jobs
seen from the web process, and who may scrape, over real sockets."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import urllib.request
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from e2e.cluster import running
from e2e.server import SiteProcess, post, scrape_metrics
from e2e.services import require_postgres_and_redis
from e2e.test_job_queue import SETUP, HeldArchive

pytestmark = pytest.mark.e2e

SOCKETS = 12


@pytest.fixture
def two_workers(tmp_path):
    (tmp_path / "metrics").mkdir()
    site = SiteProcess.create(tmp_path, {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    site.start(workers=2)
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


COUNT_EVENTS = "from submissions.models import SubmissionEvent\nprint('EVENTS=%d' % SubmissionEvent.objects.count())"


def event_rows(site) -> int:
    output = site.manage("shell", stdin=COUNT_EVENTS)
    return int(re.search(r"^EVENTS=(\d+)$", output, re.MULTILINE).group(1))


def metric(text: str, name: str, **labels: str) -> float | None:
    """One sample of a scrape, its labels in any order; None when the series is absent."""
    for line in text.splitlines():
        found = re.match(r"^([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+)$", line)
        if found and found.group(1) == name:
            have = dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or ""))
            if have == labels:
                return float(found.group(3))
    return None


async def until_scraped(site, name: str, value: float, timeout: float = 30, **labels: str) -> str:
    """Scrape until a series has the value; returns that scrape."""
    async with asyncio.timeout(timeout):
        while True:
            text = await asyncio.to_thread(scrape, site)
            if metric(text, name, **labels) == value:
                return text
            await asyncio.sleep(0.2)


@pytest.mark.services
async def test_a_job_run_by_a_celery_worker_shows_in_the_web_servers_metrics(tmp_path):
    """The worker's job duration, jobs running and events reach the web's /metrics through the shared directory."""
    postgres, redis_url = require_postgres_and_redis()
    shared = tmp_path / "metrics"
    shared.mkdir()
    archive = HeldArchive(jobs=2)
    try:
        with running(
            tmp_path, postgres, redis_url, servers=1, workers=0,
            PROMETHEUS_MULTIPROC_DIR=str(shared), **archive.settings,
        ) as cluster:  # fmt: skip
            web = cluster.servers[0]
            output = await asyncio.to_thread(
                cluster.site.manage, "shell", stdin=SETUP.format(count=2, workdir=tmp_path)
            )
            pks = [int(line.removeprefix("PK=")) for line in output.splitlines() if line.startswith("PK=")]
            cookie = web.login()
            for pk in pks:
                assert await asyncio.to_thread(post, web.base_url, f"/submissions/{pk}/submit/", cookie) == 302
            # No worker yet: both wait in Redis, and are counted where they wait.
            queued = await until_scraped(web, "submission_live_jobs_queued", 2.0)
            assert metric(queued, "submission_live_jobs_running", phase="submission") in (None, 0.0)
            events_before = event_rows(cluster.site)
            recorded_before = metric(queued, "submission_live_events_recorded_total") or 0.0

            cluster.start_worker()  # concurrency 1: one job runs, one waits
            assert await asyncio.to_thread(archive.next_arrival) == "J0"
            busy = await until_scraped(web, "submission_live_jobs_running", 1.0, phase="submission")
            assert metric(busy, "submission_live_jobs_queued") == 1.0
            archive.release("J0")
            assert await asyncio.to_thread(archive.next_arrival) == "J1"
            archive.release("J1")
            done = await until_scraped(
                web, "submission_live_job_duration_seconds_count", 2.0, phase="submission", outcome="completed"
            )
            events_after = event_rows(cluster.site)
            worker_log = cluster.worker_log()
    finally:
        archive.stop()

    assert "succeeded" in worker_log
    assert metric(done, "submission_live_jobs_running", phase="submission") == 0.0
    assert metric(done, "submission_live_jobs_queued") == 0.0
    # Every status event the worker committed (Completed, and what led to it) was counted once.
    assert events_after > events_before
    assert metric(done, "submission_live_events_recorded_total") == recorded_before + (events_after - events_before)
    inf = metric(
        done, "submission_live_job_duration_seconds_bucket", phase="submission", outcome="completed", le="+Inf"
    )
    assert inf == 2.0
    assert metric(done, "submission_live_job_duration_seconds_sum", phase="submission", outcome="completed") > 0
    assert_prometheus_naming(done)


def assert_prometheus_naming(text: str) -> None:
    """Counters end in `_total`, histograms are in seconds, and no label can name a person or a submission."""
    types = dict(re.findall(r"^# TYPE (submission_live_\w+) (\w+)$", text, re.MULTILINE))
    assert {name for name, kind in types.items() if kind == "counter" and not name.endswith("_total")} == set()
    assert {name for name, kind in types.items() if kind == "histogram" and not name.endswith("_seconds")} == set()
    labels = set(re.findall(r'(\w+)="', "\n".join(re.findall(r"^submission_live_\w+\{(.*)\}", text, re.MULTILINE))))
    assert labels <= {"endpoint", "kind", "code", "phase", "outcome", "reason", "le"}, labels
    assert "submission_live_job_duration_seconds" in types
    assert "submission_live_events_recorded_total" in types


def test_only_the_loopback_address_or_the_token_may_scrape(tmp_path):
    """Embedded default: 127.0.0.1 needs no token; any other address needs METRICS_TOKEN, whatever it claims."""
    site = SiteProcess.create(tmp_path, {"METRICS_TOKEN": "scrape-secret"})
    site.start()
    try:
        # 127.0.0.2 is another address on this machine: a client that is not the loopback address.
        loopback = scrape_metrics(site.port, "127.0.0.1")
        elsewhere = scrape_metrics(site.port, "127.0.0.2")
        posing = scrape_metrics(site.port, "127.0.0.2", {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"})
        wrong = scrape_metrics(site.port, "127.0.0.2", {"Authorization": "Bearer scrape-secre"})
        right = scrape_metrics(site.port, "127.0.0.2", {"Authorization": "Bearer scrape-secret"})
    finally:
        site.stop()

    assert loopback[0] == 200
    assert "submission_live_jobs_queued 0.0" in loopback[1]
    assert [elsewhere[0], posing[0], wrong[0]] == [404, 404, 404]
    assert "submission_live" not in elsewhere[1] + posing[1] + wrong[1]
    assert right[0] == 200
    assert "# TYPE submission_live_frames_sent_total counter" in right[1]
