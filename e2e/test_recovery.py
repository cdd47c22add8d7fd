"""Distributed mode's own recovery, on real processes: concurrent writers, Celery beat's watchdog, a broker outage."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time

import psycopg
import pytest

from common.constants import ERROR, READY, WAITING
from e2e.cluster import running
from e2e.history import read_history
from e2e.live_page import LivePage
from e2e.redis_process import RedisProcess
from e2e.server import PYTHON, ROOT, post
from e2e.services import require_postgres_and_redis
from e2e.waiting import until

pytestmark = [pytest.mark.e2e, pytest.mark.services]

WRITERS = 4
EVENTS_PER_WRITER = 30


@pytest.fixture(scope="module")
def redis_process(tmp_path_factory):
    require_postgres_and_redis()
    redis = RedisProcess(tmp_path_factory.mktemp("redis"))
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_process):
    postgres, _ = require_postgres_and_redis()
    with running(tmp_path_factory.mktemp("recovery"), postgres, redis_process.url, servers=1) as cluster:
        yield cluster


@pytest.fixture
async def page(cluster):
    """A page on the cluster's server, reconnecting by itself, holding submission 1's events from seq 1."""
    server = cluster.servers[0]
    page = LivePage(url=f"{server.ws_url}/ws/submissions/1/", cookie=server.login(), origin=server.base_url)
    stop = asyncio.Event()
    task = asyncio.ensure_future(page.run(stop))
    async with asyncio.timeout(30):
        while not page.live:
            await asyncio.sleep(0.05)
    yield page
    stop.set()
    await task


def writer(env: dict[str, str], tag: str, start_at: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "e2e.event_source", "--submissions", "1", "--no-lock", "--tag", tag,
         "--count", str(EVENTS_PER_WRITER), "--interval", "0", "--start-at", str(start_at)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


async def test_concurrent_writers_without_an_outside_lock_get_gapless_unique_ordered_seqs(cluster, page):
    """Several processes call send_message on one submission at once; only its own locking orders them."""
    database = cluster.env["DATABASE_URL"]
    before = read_history(database, 1)[1]["last_seq"]
    start_at = time.time() + 4  # every writer has loaded Django by then, so they collide
    writers = [writer(cluster.env, f"w{n}", start_at) for n in range(WRITERS)]
    results = [await asyncio.to_thread(writer.communicate, timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * WRITERS, [err.decode()[-2000:] for _, err in results]

    events, final = read_history(database, 1)
    last = before + WRITERS * EVENTS_PER_WRITER
    assert final["last_seq"] == last
    assert [seq for seq, *_ in events] == list(range(1, last + 1)), "seqs must be unique and gapless"
    for n in range(WRITERS):
        own = [(seq, int(message.split()[1])) for seq, _, message in events if message.startswith(f"w{n} ")]
        assert [index for _, index in own] == list(range(EVENTS_PER_WRITER)), f"writer {n}'s events out of order"
    writers_of = [message.split()[0] for seq, _, message in events if seq > before]
    switches = sum(a != b for a, b in itertools.pairwise(writers_of))
    assert switches >= WRITERS, "the writers never interleaved: the test did not test concurrency"

    async with asyncio.timeout(30):
        while page.last_seq < last:
            await asyncio.sleep(0.1)
    assert page.events == events
    assert page.duplicates == 0


def job_state(database: str, pk: int) -> tuple[int, str, str]:
    with psycopg.connect(database) as db:
        return db.execute("SELECT status, message, job_phase FROM uid_submission WHERE id = %s", [pk]).fetchone()


async def test_celery_beat_ends_a_job_whose_worker_died_with_no_server_to_notice(cluster, page, tmp_path):
    """The stale job's heartbeat is 60 s old: stale for beat's worker (2 s), not yet for the server (120 s)."""
    database = cluster.env["DATABASE_URL"]
    with psycopg.connect(database) as db:
        db.execute(
            "UPDATE uid_submission SET status = %s, job_phase = 'import', job_heartbeat = now() - interval '60 s'"
            " WHERE id = 1",
            [WAITING],
        )
    env = {**cluster.env, "JOB_STALE_SECONDS": "2"}
    common = [PYTHON, "-m", "celery", "-A", "config.celery_app"]
    log = (tmp_path / "beat.log").open("ab")
    processes = [
        subprocess.Popen([*common, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "schedule")],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([*common, "worker", "--loglevel", "INFO", "--concurrency", "1", "--without-gossip",
                          "--without-mingle", "--without-heartbeat"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
    ]  # fmt: skip
    try:
        await until(lambda: job_state(database, 1)[0] == ERROR, timeout=60)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)

    status, message, phase = job_state(database, 1)
    assert (status, message, phase) == (ERROR, "The import stopped unexpectedly; please retry.", "")
    assert "jobs.fail_stale" in (tmp_path / "beat.log").read_text(errors="replace")
    async with asyncio.timeout(15):
        while page.state.get("status") != ERROR:
            await asyncio.sleep(0.1)
    assert page.state["notification_message"] == "The import stopped unexpectedly; please retry."


async def test_a_job_started_while_the_broker_is_down_ends_in_error_and_the_next_one_runs(cluster, page, redis_process):
    server = cluster.servers[0]
    database = cluster.env["DATABASE_URL"]
    cookie = server.login()
    redis_process.kill()
    try:
        assert await asyncio.to_thread(post, server.base_url, "/submissions/1/validate/", cookie) == 302
        await until(lambda: job_state(database, 1)[0] != WAITING, timeout=30)
        status, message, phase = job_state(database, 1)
        assert status == ERROR
        assert message.startswith("The validation could not be queued"), message
        assert phase == ""
        async with asyncio.timeout(15):  # the page hears of it from the log: the doorbell is down too
            while page.state.get("notification_message") != message:
                await asyncio.sleep(0.1)
    finally:
        redis_process.start()

    cluster.start_worker()
    assert await asyncio.to_thread(post, server.base_url, "/submissions/1/validate/", cookie) == 302
    await until(lambda: job_state(database, 1)[0] == READY, timeout=60)
    async with asyncio.timeout(15):
        while page.state.get("status") != READY:
            await asyncio.sleep(0.1)
    events, _ = read_history(database, 1)
    assert page.events == events
    assert page.duplicates == 0
