"""The server process's start and stop: what runs beside the sockets, composed in one place.

uvicorn sends `lifespan.startup` once the process is up and
`lifespan.shutdown` on its way out. Start-up brings up, in order:
- the socket hub (submissions_ws.hub), at startup rather than on the first
  socket, so the embedded default's job threads always have a server loop
  to publish through;
- with the thread job backend, the end of jobs that ran on threads of the
  previous server process (jobs.watchdog), and the job watchdog's rounds;
- GC tuning for many sockets (config/gc_tuning.py), once start-up is done;
- the SIGTERM drain (submissions_ws/drain.py).

Shutdown stops the watchdog, then the hub, then marks this worker's metrics
as gone (common/metrics_process.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from common.metrics_process import process_exited
from config.gc_tuning import tune_for_many_sockets
from jobs.watchdog import fail_orphaned_jobs, fail_stale_jobs
from submissions_ws import drain
from submissions_ws.hub import get_hub, stop_hub

logger = logging.getLogger(__name__)


async def watchdog() -> None:
    """End stale jobs every quarter of JOB_STALE_SECONDS; a failed round is retried at the next."""
    interval = max(1.0, settings.JOB_STALE_SECONDS / 4)
    while True:
        await asyncio.sleep(interval)
        try:
            await database_sync_to_async(fail_stale_jobs)()
        except Exception:
            logger.warning("job watchdog round failed", exc_info=logger.isEnabledFor(logging.DEBUG))


async def startup() -> asyncio.Task[None]:
    """Start everything the process runs beside its requests; returns the watchdog's task."""
    await get_hub()
    if settings.JOBS_BACKEND == "thread":
        # Jobs ran on threads of the previous server process: none survived.
        await database_sync_to_async(fail_orphaned_jobs)()
    tune_for_many_sockets()
    loop = asyncio.get_running_loop()
    drain.install(loop)
    return loop.create_task(watchdog())


async def shutdown(watchdog_task: asyncio.Task[None] | None) -> None:
    if watchdog_task is not None:
        watchdog_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog_task
    await stop_hub()
    process_exited()


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI lifespan protocol around `startup` and `shutdown`."""
    watchdog_task: asyncio.Task[None] | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                watchdog_task = await startup()
            except Exception as error:
                logger.exception("startup failed")
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await shutdown(watchdog_task)
            await send({"type": "lifespan.shutdown.complete"})
            return
