"""The process's start and stop through the ASGI lifespan: hub, orphaned jobs, watchdog, GC tuning."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async

from common.constants import ERROR, JOB_RUNNING, PHASE_IMPORT, WAITING
from config import lifespan as lifespan_module
from config.gc_tuning import SERVER_THRESHOLDS
from config.lifespan import lifespan
from submissions import publishing
from submissions_ws.hub import get_hub, stop_hub
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def no_hub_left():
    yield
    await stop_hub()


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Server:
    """Plays uvicorn's side of the lifespan protocol."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive(self) -> dict[str, Any]:
        return await self.inbox.get()

    async def send(self, message: dict[str, Any]) -> None:
        await self.sent.put(message)

    async def say(self, kind: str) -> str:
        await self.inbox.put({"type": f"lifespan.{kind}"})
        return (await asyncio.wait_for(self.sent.get(), 5))["type"]


async def test_startup_serves_sockets_ends_orphaned_jobs_and_shutdown_stops_the_hub(submission, settings, restored_gc):
    settings.JOBS_BACKEND = "thread"
    await Submission.objects.filter(pk=submission.pk).aupdate(
        status=WAITING, job_phase=PHASE_IMPORT, job_state=JOB_RUNNING
    )
    server = Server()
    running = asyncio.get_running_loop().create_task(lifespan({"type": "lifespan"}, server.receive, server.send))

    assert await server.say("startup") == "lifespan.startup.complete"
    hub = await get_hub()
    assert publishing._server_publisher is not None, "job threads publish through the server's loop"
    orphan = await database_sync_to_async(Submission.objects.get)(pk=submission.pk)
    assert (orphan.status, orphan.job_phase) == (ERROR, "")
    assert "server restarted" in orphan.message
    assert gc.get_threshold() == SERVER_THRESHOLDS

    assert await server.say("shutdown") == "lifespan.shutdown.complete"
    await running
    assert publishing._server_publisher is None
    assert await get_hub() is not hub, "the stopped hub is gone; a later one starts afresh"


async def test_the_watchdog_runs_its_rounds_until_shutdown(settings, monkeypatch, restored_gc):
    settings.JOB_STALE_SECONDS = 1  # a round a second, the shortest
    rounds: list[int] = []
    monkeypatch.setattr(lifespan_module, "fail_stale_jobs", lambda: rounds.append(1) or 0)
    server = Server()
    running = asyncio.get_running_loop().create_task(lifespan({"type": "lifespan"}, server.receive, server.send))
    assert await server.say("startup") == "lifespan.startup.complete"

    async with asyncio.timeout(5):
        while len(rounds) < 2:
            await asyncio.sleep(0.05)
    assert await server.say("shutdown") == "lifespan.shutdown.complete"
    await running
    done = len(rounds)
    await asyncio.sleep(1.2)

    assert len(rounds) == done, "no round after shutdown"


async def test_a_failing_startup_is_reported_to_the_server(monkeypatch):
    async def broken() -> None:
        raise RuntimeError("no channel layer")

    monkeypatch.setattr(lifespan_module, "get_hub", broken)
    server = Server()
    running = asyncio.get_running_loop().create_task(lifespan({"type": "lifespan"}, server.receive, server.send))

    assert await server.say("startup") == "lifespan.startup.failed"
    await running
