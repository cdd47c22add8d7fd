"""Distributed mode on real services: PostgreSQL, Redis, Celery, two ASGI processes."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from e2e.cluster import running
from e2e.server import post
from e2e.services import require_postgres_and_redis
from e2e.sessions import make_sessions
from e2e.test_seed_snippet import SEED_SNIPPET
from e2e.waiting import until

pytestmark = [pytest.mark.e2e, pytest.mark.services]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    postgres, redis_url = require_postgres_and_redis()
    with running(tmp_path_factory.mktemp("cluster"), postgres, redis_url, servers=2, workers=1) as cluster:
        yield cluster


async def frames_until(socket, done, timeout: float = 30) -> list[dict]:
    """Collect frames until `done(frame)` is true."""
    frames: list[dict] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            frames.append(frame)
            if done(frame):
                return frames


async def test_a_job_in_a_celery_worker_reaches_pages_on_two_servers(cluster):
    first, second = cluster.servers
    cookie = first.login()
    settled = {1, 3, 4, 5}  # Loaded, Error, Need Revision, Ready

    async with (
        connect(f"{first.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=first.base_url) as a,
        connect(
            f"{second.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=second.base_url
        ) as b,
    ):
        snapshot_a = json.loads(await a.recv())
        snapshot_b = json.loads(await b.recv())
        assert snapshot_a["seq"] == snapshot_b["seq"]
        assert await asyncio.to_thread(post, first.base_url, "/submissions/1/validate/", cookie) == 302

        def finished(frame: dict) -> bool:
            return frame["type"] == "status" and frame["status"] in settled

        frames_a, frames_b = await asyncio.gather(frames_until(a, finished), frames_until(b, finished))

    statuses_a = [(f["seq"], f["status"]) for f in frames_a if f["type"] == "status"]
    statuses_b = [(f["seq"], f["status"]) for f in frames_b if f["type"] == "status"]
    assert statuses_a == statuses_b
    assert statuses_a[0] == (snapshot_a["seq"] + 1, 0)  # Waiting, from the web process
    assert statuses_a[-1][1] == 5  # Ready: the example file passes validation
    assert frames_a[-1]["validation_message"]["animal_issues"] == 0
    assert any(f["type"] == "progress" and f["progress"]["phase"] == "validation" for f in frames_a)
    assert "jobs.run_phase" in cluster.worker_log()
    # Celery logs "succeeded" once the task has returned, which is after the commit that sent Ready.
    await until(lambda: "succeeded" in cluster.worker_log(), timeout=30)


async def test_seed_snippet_in_a_shell_with_redis_updates_the_open_page(cluster):
    server = cluster.servers[1]
    cookie = server.login()
    async with connect(
        f"{server.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=server.base_url
    ) as socket:
        snapshot = json.loads(await socket.recv())
        await asyncio.to_thread(cluster.site.manage, "shell", stdin=SEED_SNIPPET)
        frame = json.loads(await asyncio.wait_for(socket.recv(), 1.0))

    assert frame["type"] == "status"
    assert frame["seq"] == snapshot["seq"] + 1
    assert frame["status"] == 0


STORM_USERS = 80
STORM_SOCKETS_PER_USER = 25  # 2,000 sockets, under the per-user cap


async def test_a_storm_of_2000_simultaneous_connects_is_all_accepted_with_snapshots(cluster):
    server = cluster.servers[0]
    sessions = await asyncio.to_thread(make_sessions, cluster.site, STORM_USERS)
    targets = [pair for pair in sessions for _ in range(STORM_SOCKETS_PER_USER)]
    assert len(targets) == 2000

    async def one(session_key: str, pk: int) -> dict:
        socket = await connect(
            f"{server.ws_url}/ws/submissions/{pk}/",
            additional_headers={"Cookie": f"sessionid={session_key}"},
            origin=server.base_url,
            open_timeout=60,
        )
        try:
            return json.loads(await asyncio.wait_for(socket.recv(), 60))
        finally:
            await socket.close()

    results = await asyncio.gather(*(one(key, pk) for key, pk in targets), return_exceptions=True)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == [], f"{len(failures)} of 2000 failed, first: {failures[:1]!r}"
    assert all(r["type"] == "snapshot" for r in results)
    assert "Too many connections" not in server.log()
    assert "Traceback" not in server.log()
