"""Process life for multiprocess metrics: where the files go, and what a leaving process does.

`prometheus_client` reads `PROMETHEUS_MULTIPROC_DIR` when it is imported, so
the directory is chosen before any process starts (`config.serve`, the
Procfile, the deploy units) and emptied only when the whole group starts.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(ENV) or None


def prepare_multiprocess_dir(*, workers: int) -> str | None:
    """Before uvicorn starts several workers: make sure they share an empty metrics directory.

    A directory given in the environment is shared with other processes (the
    Celery workers of the Procfile), so it is created if missing but never
    emptied here; otherwise a fresh private one is made for this server.
    """
    chosen = multiprocess_dir()
    if chosen:
        os.makedirs(chosen, exist_ok=True)
        return chosen
    if workers <= 1:
        return None
    chosen = tempfile.mkdtemp(prefix="submission-live-metrics-")
    os.environ[ENV] = chosen
    return chosen


def reset_multiprocess_dir(path: str) -> None:
    """Empty the directory: values of processes from an earlier run must not be summed in."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def process_exited() -> None:
    """Drop this process's live gauges (sockets open, jobs running) from the sums."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


# Any process that exits normally (a manage.py command, a Celery worker, a
# uvicorn worker) leaves the sums; one killed with SIGKILL leaves its last
# values until the directory is emptied at the next start.
atexit.register(process_exited)
