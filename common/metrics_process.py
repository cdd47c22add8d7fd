"""Process life for multiprocess metrics: where the files go, and what a leaving process does.

`prometheus_client` reads `PROMETHEUS_MULTIPROC_DIR` when it is imported, so
the directory is chosen before any process starts (`config.serve`, the
Procfile, the deploy units) and emptied only when the whole group starts.
"""

from __future__ import annotations

import atexit
import os
import re
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


# prometheus_client's files of live gauges: gauge_livesum_<pid>.db, gauge_liveall_<pid>.db.
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live[a-z]*_(\d+)\.db$")


def reap_dead_processes(path: str) -> list[int]:
    """Drop the live gauges of processes that are gone without saying so (SIGKILL, OOM, a crash).

    A directory shared by every process of a host (the systemd units, the
    Procfile) cannot be emptied when one of them restarts, so each scrape
    first forgets the sockets open and jobs running of pids that no longer
    exist. Counters and histograms stay: they are totals, and Prometheus
    would read a drop as a reset.
    """
    dead: set[int] = set()
    for name in os.listdir(path):
        match = _LIVE_GAUGE_FILE.match(name)
        if match and not _alive(int(match.group(1))):
            dead.add(int(match.group(1)))
    if dead:
        from prometheus_client import multiprocess

        for pid in dead:
            multiprocess.mark_process_dead(pid, path)
    return sorted(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def process_exited(pid: int | None = None) -> None:
    """Drop a process's live gauges (sockets open, jobs running) from the sums: this one's by default.

    A Celery prefork child leaves through `os._exit`, past `atexit`, so the
    worker passes its pid here from the `worker_process_shutdown` signal.
    """
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid() if pid is None else pid)


# Any process that exits normally (a manage.py command, a Celery worker, a
# uvicorn worker) leaves the sums; one killed with SIGKILL leaves its last
# values until the directory is emptied at the next start.
atexit.register(process_exited)
