"""What a server process holds per idle socket, by what allocated it (tracemalloc).

A diagnostic run by hand, not part of `make bench` (tracing slows the server
several times over):

    flock /tmp/sl-bench.lock .venv/bin/python -m bench.idle_trace floor b a --sockets 2000

Each system is served as `make bench` serves it (bench/systems.py), with
PYTHONTRACEMALLOC set and bench/tracewatch on PYTHONPATH, which dumps a
snapshot on SIGUSR1. The run opens 20 sockets and closes them (imports,
pools, the hub), takes a snapshot, opens `--sockets` sockets in batches (not
a storm: the traced server is slow), waits until it is quiet, and takes
another. What the second holds above the first, divided by the sockets
held, is listed three ways: by the line that allocated it, by the innermost
line of the project's own code on its traceback, and by package.
tracemalloc sees Python's allocator only: uvloop's and the kernel's buffers
and malloc's fragmentation are in RSS (what bench/RESULTS.md reports), not here.
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from bench.config import Sizes
from bench.pool import ClientPool
from bench.procs import ROOT, Server, raise_file_limit
from bench.scenarios import Context, settle
from bench.systems import System, build

TRACEWATCH = Path(__file__).resolve().parent / "tracewatch"
SITE = f"{os.sep}site-packages{os.sep}"


def traced(server: Server, out: Path, frames: int) -> Server:
    """`server` with tracemalloc on and a snapshot dump on SIGUSR1."""
    server.env = {**server.env, "PYTHONPATH": str(TRACEWATCH), "PYTHONTRACEMALLOC": str(frames),
                  "TRACEWATCH_OUT": str(out)}  # fmt: skip
    return server


def snapshot(server: Server, out: Path, number: int) -> tracemalloc.Snapshot:
    os.kill(server.pid, signal.SIGUSR1)
    path = Path(f"{out}.{number}")
    deadline = time.monotonic() + 300
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no snapshot {path}")
        time.sleep(0.2)
    return tracemalloc.Snapshot.load(str(path)).filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    )


def where(frame: tracemalloc.Frame) -> str:
    name = frame.filename
    if SITE in name:
        name = name.split(SITE, 1)[1]
    elif name.startswith(str(ROOT)):
        name = name[len(str(ROOT)) + 1 :]
    return f"{name}:{frame.lineno}"


def package(frame: tracemalloc.Frame) -> str:
    name = frame.filename
    if SITE in name:
        return name.split(SITE, 1)[1].split(os.sep, 1)[0]
    if name.startswith(str(ROOT)):
        return "project: " + name[len(str(ROOT)) + 1 :].split(os.sep, 1)[0]
    return "python: " + Path(name).name


def ours(frame: tracemalloc.Frame) -> bool:
    return frame.filename.startswith(str(ROOT)) and SITE not in frame.filename and "/bench/" not in frame.filename


def report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, held: int, top: int) -> str:
    by_line: Counter[str] = Counter()
    by_ours: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    for diff in after.compare_to(before, "traceback"):
        frames = list(reversed(diff.traceback))  # most recent first
        by_line[where(frames[0])] += diff.size_diff
        by_package[package(frames[0])] += diff.size_diff
        mine = next((f for f in frames if ours(f)), None)
        by_ours[where(mine) if mine else "(no project frame: " + package(frames[0]) + ")"] += diff.size_diff
    total = sum(by_line.values())
    lines = [f"held {held}: {total / held:.0f} B per socket above the snapshot before"]
    for title, table in (("allocating line", by_line), ("innermost project line", by_ours), ("package", by_package)):
        lines.append(f"\n-- by {title} (B per socket)")
        lines += [f"{size / held:8.0f}  {key}" for key, size in table.most_common(top) if abs(size / held) >= 8]
    return "\n".join(lines)


def run(key: str, pool: ClientPool, sockets: int, frames: int, top: int, root: Path) -> str:
    system: System = build("a" if key == "floor" else key, root)
    system.workdir.mkdir(parents=True, exist_ok=True)
    out = system.workdir / ("floor" if key == "floor" else "snap")
    if key != "floor":
        users = max(1, sockets // 10)
        system.prepare(Sizes(latency_clients=users, storms=str(sockets), fanout_clients=40))
    server = traced(system.server(floor=key == "floor"), out, frames)
    server.start(timeout=180)
    try:
        if key == "floor":
            targets = [(f"{server.ws_base}/ws/floor/{i}/", "sessionid=none", server.origin) for i in range(sockets)]
        else:
            ctx = Context(system, server, pool, Sizes(), "project", {})
            targets = ctx.targets(ctx.spread(sockets))
        pool.ramp(targets[:20], batch=20, deadline=60)
        pool.close()
        settle(server)
        first, rss_first = snapshot(server, out, 1), server.rss_kb()
        ramp = pool.ramp(targets, batch=200, deadline=120)
        settle(server, limit=60)
        second, rss_second = snapshot(server, out, 2), server.rss_kb()
        held = pool.stats()["open"]
        pool.close()
        head = f"== {key}: {ramp['accepted']} accepted, {held} held; RSS (traced) {rss_first} -> {rss_second} KB"
        return head + "\n" + report(first, second, max(1, held), top)
    finally:
        server.stop()
        if key != "floor":
            system.teardown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("systems", nargs="+", choices=["floor", "a", "b"])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=30, help="traceback depth")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    raise_file_limit()
    pool = ClientPool(2)
    root = Path(tempfile.mkdtemp(prefix="idle-trace-"))
    try:
        for key in args.systems:
            print(run(key, pool, args.sockets, args.frames, args.top, root), flush=True)
    finally:
        pool.shutdown()


if __name__ == "__main__":
    main()
