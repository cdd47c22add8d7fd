"""Nothing lost under faults: every page ends with exactly the database's history."""

from __future__ import annotations

import asyncio
import signal

import pytest

from e2e.cluster import Cluster
from e2e.faults import Scenario, pages_for, run_with_fault
from e2e.redis_process import RedisProcess
from e2e.services import require_postgres_and_redis

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
    cluster = Cluster.create(tmp_path, postgres, redis_process.url, servers=2, REALTIME_SWEEP_SECONDS="0.5")
    cluster.start(workers=0)
    yield cluster
    cluster.stop()


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
        assert server.log().count("Traceback") <= 2, server.log()[-3000:]


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
