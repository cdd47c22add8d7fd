"""Where a server's time goes: py-spy on the live process, summarised.

Profiles are taken in extra runs, after the measured ones, because sampling
on a 2-core machine takes CPU from the system under test. `--nonblocking`
keeps py-spy from pausing the server at each sample, and `--gil` samples only
the thread holding the GIL: a thread waiting for the GIL or for PostgreSQL
is not spending the server's CPU, and would otherwise count as busy.
A leaf of `Runner.run` is time inside uvloop's C code (sockets, transports,
callbacks), which py-spy cannot see into without `--native`.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from bench.procs import ROOT

PY_SPY = str(ROOT / ".venv" / "bin" / "py-spy")


PLUMBING = (
    "<module> (uvicorn/__main__", "main (uvicorn/main", "run (uvicorn/main", "Command.", "Context.invoke",
    "asyncio_run (", "Runner.run (", "Server.run (uvicorn", "_run_module_as_main", "_run_code (",
    "Thread.run (", "Thread._bootstrap", "_worker (concurrent", "_WorkItem.run", "<module> (daphne",
)  # fmt: skip


class Profiler:
    """py-spy recording one process for the duration of a `with` block."""

    def __init__(self, pid: int, out: Path, *, rate: int = 100) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Profiler:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [PY_SPY, "record", "--pid", str(self.pid), "--format", "raw", "--rate", str(self.rate),
             "--nonblocking", "--gil", "--output", str(self.out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def summarize(raw: Path, *, top: int = 12) -> dict[str, Any]:
    """Top frames by own time and by inclusive time, as shares of all samples.

    Plumbing frames on nearly every stack (the event loop, the thread
    bootstrap, uvicorn's start-up) say nothing about where time goes and are
    left out of the inclusive list.
    """
    own: Counter[str] = Counter()
    db: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    if not raw.exists():
        return {"samples": 0, "self": [], "inclusive": []}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_short(frame) for frame in stack.split(";") if frame]
        if frames:
            own[frames[-1]] += samples
        db[_db_call(frames)] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    del db[""]
    if not total:
        return {"samples": 0, "self": [], "inclusive": []}
    telling = [(frame, n) for frame, n in inclusive.most_common() if not frame.startswith(PLUMBING)]
    return {
        "samples": total,
        "db": [(round(n / total * 100, 1), name) for name, n in db.most_common(top)],
        "self": [(round(n / total * 100, 1), frame) for frame, n in own.most_common(top)],
        "inclusive": [(round(n / total * 100, 1), frame) for frame, n in telling[:top]],
    }


def _db_call(frames: list[str]) -> str:
    """The function a `database_sync_to_async` hop ran, or "" outside the DB thread."""
    for index, frame in enumerate(frames):
        if frame.startswith("DatabaseSyncToAsync.thread_handler"):
            inner = [f for f in frames[index + 1 :] if not f.startswith(("SyncToAsync", "DatabaseSyncToAsync"))]
            # Grouped by function: the line within it does not matter here.
            return inner[0].rsplit(":", 1)[0] + ")" if inner else "?"
    return ""


def _short(frame: str) -> str:
    """`func (/long/path/site-packages/pkg/mod.py:12)` → `func (pkg/mod.py:12)`."""
    for marker in ("site-packages/", f"{ROOT}/", "python3.11/"):
        if marker in frame:
            head, _, tail = frame.partition("(")
            return f"{head}({tail.split(marker, 1)[1]}"
    return frame
