"""Process start and stop: the hub, the job watchdog and the SIGTERM drain.

Starting the hub at startup, not on the first socket, means the embedded
default's job threads always have a server loop to publish through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from common.metrics_process import process_exited
from jobs.watchdog import fail_orphaned_jobs, fail_stale_jobs
from submissions_ws import drain
from submissions_ws.gc_tuning import tune_for_many_sockets
from submissions_ws.hub import get_hub, stop_hub

logger = logging.getLogger(__name__)


async def _watchdog() -> None:
    interval = max(1.0, settings.JOB_STALE_SECONDS / 4)
    while True:
        await asyncio.sleep(interval)
        try:
            await database_sync_to_async(fail_stale_jobs)()
        except Exception:
            logger.warning("job watchdog round failed", exc_info=logger.isEnabledFor(logging.DEBUG))


async def _startup() -> asyncio.Task[None]:
    await get_hub()
    if settings.JOBS_BACKEND == "thread":
        # Jobs ran on threads of the previous server process: none survived.
        await database_sync_to_async(fail_orphaned_jobs)()
    tune_for_many_sockets()
    drain.install(asyncio.get_running_loop())
    return asyncio.get_running_loop().create_task(_watchdog())


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    watchdog: asyncio.Task[None] | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                watchdog = await _startup()
            except Exception as error:
                logger.exception("startup failed")
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if watchdog is not None:
                watchdog.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watchdog
            await stop_hub()
            process_exited()
            await send({"type": "lifespan.shutdown.complete"})
            return
