"""The embedded default's archive poller, started from the server's lifespan.

A long-lived loop beside the job watchdog, rather than a job that re-queues
itself with a delay: the state lives in ArchiveBatch rows, so the loop
holds nothing a restart could lose, occupies no job thread while the
archive takes its time, and needs no job marker that the restart watchdog
would declare orphaned. In distributed mode Celery beat runs the same
round (jobs.tasks.poll_archive) instead, once for all server processes.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from django.conf import settings
from django.db import connections

from archive.polling import poll_archive

logger = logging.getLogger(__name__)


def poll_round(stopping: threading.Event) -> int:
    try:
        return poll_archive(should_stop=stopping.is_set)
    finally:
        # The round runs on an executor thread that outlives it.
        connections.close_all()


async def poll_forever() -> None:
    if settings.JOBS_BACKEND == "celery":
        return  # beat polls; every web process polling too would only repeat the work
    # Cancelling the await below does not stop the thread, and the loop's
    # executor is joined at exit: without this flag a shutdown would wait for
    # the whole round. With it, for one request at most.
    stopping = threading.Event()
    try:
        while True:
            await asyncio.sleep(settings.ARCHIVE_POLL_SECONDS)
            if not settings.ARCHIVE_URL:
                continue
            try:
                # Not database_sync_to_async: a slow archive must not hold the
                # single thread that every socket's database access goes through.
                await asyncio.to_thread(poll_round, stopping)
            except Exception:
                logger.warning("archive poll round failed", exc_info=True)
    finally:
        stopping.set()
