"""Nothing lost under faults: every page ends with exactly the database's history."""

from __future__ import annotations

import asyncio
import os
import signal

import psycopg
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from common.constants import ERROR
from e2e.cluster import Cluster, running
from e2e.faults import Scenario, pages_for, run_with_fault
from e2e.history import read_history
from e2e.live_page import LivePage, invariant_violations
from e2e.redis_process import RedisProcess
from e2e.services import POSTGRES, require_postgres_and_redis
from e2e.tcp_proxy import TcpProxy
from submissions_ws import close_codes

pytestmark = [pytest.mark.e2e, pytest.mark.services]

SUBMISSIONS = [1]


@pytest.fixture
def redis_process(tmp_path):
    require_postgres_and_redis()
    redis = RedisProcess(tmp_path)
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture
def cluster(tmp_path, redis_process):
    postgres, _ = require_postgres_and_redis()
    with running(tmp_path, postgres, redis_process.url, servers=2, REALTIME_SWEEP_SECONDS="0.5") as cluster:
        yield cluster


# How Python joins chained exceptions into one printed traceback.
CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


def logged_tracebacks(log: str) -> int:
    """Errors logged with a traceback; a chain of exceptions (redis-py raises two or three) counts once."""
    return log.count("Traceback (most recent call last)") - sum(log.count(marker) for marker in CHAINED)


def scenario_for(cluster: Cluster, per_pair: int = 5) -> Scenario:
    cookie = cluster.servers[0].login()
    return Scenario(
        database_url=cluster.env["DATABASE_URL"],
        env=cluster.env,
        pages=pages_for(cluster.servers, cookie, SUBMISSIONS, per_pair),
        submissions=SUBMISSIONS,
    )


async def test_redis_killed_mid_stream_and_restarted(cluster, redis_process):
    """Events sent while Redis is down reach every page from the log, even the last ones."""
    scenario = scenario_for(cluster)

    async def kill_redis() -> None:
        redis_process.kill()

    async def restart_redis() -> None:
        redis_process.start()

    await run_with_fault(scenario, kill_redis, recover=restart_redis)

    assert scenario.violations() == []
    for server in cluster.servers:
        assert logged_tracebacks(server.log()) <= 2, server.log()[-3000:]


async def test_asgi_process_killed_and_restarted(cluster):
    scenario = scenario_for(cluster)
    victim = cluster.servers[0]

    async def kill_and_restart_server() -> None:
        victim.stop(signal.SIGKILL)
        await asyncio.sleep(1.5)
        await asyncio.to_thread(victim.start)

    await run_with_fault(scenario, kill_and_restart_server)

    assert scenario.violations() == []
    reconnected = [page for page in scenario.pages if page.url.startswith(victim.ws_url)]
    assert all(page.connects >= 2 for page in reconnected)


async def test_graceful_restart_closes_with_1012_and_pages_resume(cluster):
    scenario = scenario_for(cluster)
    victim = cluster.servers[0]

    async def restart_server() -> None:
        await asyncio.to_thread(victim.stop, signal.SIGTERM)
        await asyncio.to_thread(victim.start)

    await run_with_fault(scenario, restart_server)

    assert scenario.violations() == []
    restarted = [page for page in scenario.pages if page.url.startswith(victim.ws_url)]
    assert all(1012 in page.close_codes or 1001 in page.close_codes for page in restarted), [
        p.close_codes for p in restarted
    ]
    assert "timeout graceful shutdown exceeded" not in victim.log()
    assert "took too long" not in victim.log()


IMPORT_SCRIPT = """
from django.contrib.auth import get_user_model
from django.core.files import File
from jobs.services import start_phase
from uid.models import Submission
submission = Submission.objects.create(title="big", owner=get_user_model().objects.get(username="demo"))
with open({path!r}, "rb") as data:
    submission.uploaded_file.save("big.csv", File(data))
start_phase(submission=submission, phase="import", initial=True)
print("PK=%d" % submission.pk)
"""


def storing(progress: dict[str, int] | None) -> bool:
    """Whether an import's progress says its records are being stored (the second half of its bar)."""
    if progress is None or not progress["total"]:
        return False
    return progress["total"] // 2 < progress["done"] < progress["total"]


@pytest.fixture
def worker_cluster(tmp_path, redis_process):
    postgres, _ = require_postgres_and_redis()
    with running(tmp_path, postgres, redis_process.url, workers=1, JOB_STALE_SECONDS="3") as cluster:
        yield cluster


async def test_a_worker_killed_mid_import_ends_in_error_and_imports_nothing(worker_cluster, tmp_path):
    from uid.example_data import write_example_csv

    cluster, server = worker_cluster, worker_cluster.servers[0]
    big = tmp_path / "big.csv"
    write_example_csv(big, animals=40_000, samples_per_animal=2, prefix="BIG-")
    output = await asyncio.to_thread(cluster.site.manage, "shell", stdin=IMPORT_SCRIPT.format(path=str(big)))
    pk = int(next(line for line in output.splitlines() if line.startswith("PK=")).removeprefix("PK="))
    page = LivePage(url=f"{server.ws_url}/ws/submissions/{pk}/", cookie=server.login(), origin=server.base_url)
    stop = asyncio.Event()
    reader = asyncio.ensure_future(page.run(stop))

    # Past half the bar the records are going into the database, in the import's one transaction
    # (parsing is the first half, uid/importer.py); 120,000 rows take far longer than the kill.
    async with asyncio.timeout(60):
        while not storing(page.progress.get("import")):
            await asyncio.sleep(0.02)
    worker = cluster.workers[0]
    os.killpg(os.getpgid(worker.pid), signal.SIGKILL)
    async with asyncio.timeout(30):
        while page.state.get("status") != ERROR:
            await asyncio.sleep(0.1)
    stop.set()
    await reader

    events, final = read_history(cluster.env["DATABASE_URL"], pk)
    assert final["status"] == ERROR
    assert final["notification_message"] == "The import stopped unexpectedly; please retry."
    assert page.state["notification_message"] == final["notification_message"]
    assert invariant_violations(page, events, final) == []
    with psycopg.connect(cluster.env["DATABASE_URL"]) as db:
        assert db.execute("SELECT count(*) FROM uid_animal WHERE submission_id = %s", [pk]).fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM uid_sample WHERE submission_id = %s", [pk]).fetchone()[0] == 0


@pytest.fixture
def proxied_cluster(tmp_path, redis_process):
    """A cluster whose every database connection goes through a proxy the test can cut."""
    require_postgres_and_redis()
    proxy = TcpProxy(POSTGRES)
    try:
        with running(tmp_path, f"postgres://postgres@127.0.0.1:{proxy.port}", redis_process.url) as cluster:
            yield cluster, proxy
            proxy.restore()  # so the database can be dropped
    finally:
        proxy.close()


async def close_code_of_a_new_page(server, cookie: str) -> int | None:
    try:
        async with connect(
            f"{server.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=server.base_url
        ) as socket:
            await asyncio.wait_for(socket.recv(), 10)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    return None


async def test_database_down_for_30_seconds(proxied_cluster):
    """Sends fail loudly and retry, connects are told to retry, and nothing is lost."""
    cluster, proxy = proxied_cluster
    scenario = scenario_for(cluster)
    server = cluster.servers[0]
    cookie = server.login()
    during_outage: list[int | None] = []

    async def outage() -> None:
        proxy.cut()
        await asyncio.sleep(3)
        during_outage.append(await close_code_of_a_new_page(server, cookie))
        await asyncio.sleep(27)
        proxy.restore()

    stderr = await run_with_fault(scenario, outage, count=60)

    assert during_outage == [close_codes.TRY_AGAIN_LATER]
    assert "send_message failed, retrying: OperationalError" in stderr
    assert scenario.violations() == []
