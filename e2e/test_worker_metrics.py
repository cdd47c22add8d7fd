"""A real Celery worker's own `/metrics` (config/worker_metrics.py), as in deploy/docker-compose.yml.

The web server and the worker each have their own PROMETHEUS_MULTIPROC_DIR,
as two containers do, so the jobs the worker's two prefork children run are
seen on the worker's port alone: summed across both children, behind the
web's access rule, until the worker stops and lets the port go.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from e2e.cluster import running
from e2e.server import free_port, post, scrape_metrics
from e2e.services import require_postgres_and_redis
from e2e.test_job_queue import SETUP, HeldArchive
from e2e.test_metrics import assert_prometheus_naming, metric

pytestmark = [pytest.mark.e2e, pytest.mark.services]

TOKEN = "scrape-secret"


async def until(port: int, name: str, value: float, timeout: float = 60, **labels: str) -> str:
    """Scrape the worker (refused while it starts) until a series has the value; returns that scrape."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                status, text = await asyncio.to_thread(scrape_metrics, port)
            except ConnectionRefusedError:
                status, text = 0, ""
            if status == 200 and metric(text, name, **labels) == value:
                return text
            await asyncio.sleep(0.2)


def writers(directory: Path, kind: str) -> set[int]:
    """The pids that wrote a file of this kind (counter, histogram, gauge_livesum) in a metrics directory."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob(f"{kind}_*.db")}


async def test_the_worker_serves_its_childrens_jobs_behind_the_webs_rule_and_lets_the_port_go(tmp_path):
    postgres, redis_url = require_postgres_and_redis()
    web_dir, worker_dir = tmp_path / "web-metrics", tmp_path / "worker-metrics"
    web_dir.mkdir()
    worker_dir.mkdir()
    port = free_port()
    archive = HeldArchive(jobs=2)
    try:
        with running(
            tmp_path, postgres, redis_url, servers=1, workers=0,
            PROMETHEUS_MULTIPROC_DIR=str(web_dir), METRICS_TOKEN=TOKEN, **archive.settings,
        ) as cluster:  # fmt: skip
            web = cluster.servers[0]
            output = await asyncio.to_thread(
                cluster.site.manage, "shell", stdin=SETUP.format(count=2, workdir=tmp_path)
            )
            pks = [int(line.removeprefix("PK=")) for line in output.splitlines() if line.startswith("PK=")]
            cookie = web.login()
            for pk in pks:
                assert await asyncio.to_thread(post, web.base_url, f"/submissions/{pk}/submit/", cookie) == 302

            worker = cluster.start_worker(
                concurrency=2, PROMETHEUS_MULTIPROC_DIR=str(worker_dir), WORKER_METRICS_PORT=str(port)
            )
            # Both jobs held by the archive at once: one in each prefork child.
            assert {await asyncio.to_thread(archive.next_arrival) for _ in pks} == {"J0", "J1"}
            busy = await until(port, "submission_live_jobs_running", 2.0, phase="submission")
            archive.release("J0")
            archive.release("J1")
            done = await until(
                port, "submission_live_job_duration_seconds_count", 2.0, phase="submission", outcome="completed"
            )
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()

            # Not on the allowed network (127.0.0.2 is this machine too), whatever it claims; then with the token.
            elsewhere = await asyncio.to_thread(scrape_metrics, port, "127.0.0.2")
            posing = await asyncio.to_thread(scrape_metrics, port, "127.0.0.2", {"X-Forwarded-For": "127.0.0.1"})
            wrong = await asyncio.to_thread(scrape_metrics, port, "127.0.0.2", {"Authorization": f"Bearer {TOKEN}x"})
            right = await asyncio.to_thread(scrape_metrics, port, "127.0.0.2", {"Authorization": f"Bearer {TOKEN}"})
            web_status, web_text = await asyncio.to_thread(scrape_metrics, web.port)

            worker.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(worker.wait, 30)
            worker_log = cluster.worker_log()
            with pytest.raises(ConnectionRefusedError):
                scrape_metrics(port)
    finally:
        archive.stop()

    # The two jobs, each run by its own child, summed by the main process's endpoint.
    assert len(children) == 2
    assert {int(child) for child in children} <= writers(worker_dir, "histogram")
    assert metric(busy, "submission_live_jobs_running", phase="submission") == 2.0
    inf = metric(
        done, "submission_live_job_duration_seconds_bucket", phase="submission", outcome="completed", le="+Inf"
    )
    assert inf == 2.0
    assert metric(done, "submission_live_job_duration_seconds_sum", phase="submission", outcome="completed") > 0
    assert metric(done, "submission_live_jobs_running", phase="submission") == 0.0
    assert (metric(done, "submission_live_events_recorded_total") or 0) >= 2
    assert "submission_live_jobs_queued" not in done  # the web's figure, read from the database
    assert_prometheus_naming(done)

    assert [elsewhere, posing, wrong] == [(404, "Not found\n")] * 3
    assert right[0] == 200
    assert metric(right[1], "submission_live_job_duration_seconds_count", phase="submission", outcome="completed") == 2
    # The web's own /metrics cannot see the worker's directory: without the worker's port these would be lost.
    assert web_status == 200
    assert (
        metric(web_text, "submission_live_job_duration_seconds_count", phase="submission", outcome="completed") is None
    )

    assert exit_code == 0
    assert "worker metrics on http://127.0.0.1:" in worker_log
    assert "worker metrics stopped" in worker_log
    assert "Traceback" not in worker_log
