"""What every scenario shares, and the connection scenarios (6. storms, 5. idle memory).

A `Meter` brackets a scenario with wall time and the server's CPU time, so
every result can say both how long it took and what it cost the server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.clients import Target
from bench.config import Sizes
from bench.noise import BLOCKS, mean_slices, per_event, rate_slices
from bench.pool import ClientPool
from bench.procs import Server
from bench.sampling import Sampler
from bench.systems import System

Pair = tuple[str, int]  # (session key, submission pk)


class Meter:
    """Wall seconds and server CPU seconds of one `with` block.

    It also samples the server's CPU and RSS every 50 ms (`series`), from
    which bench.noise cuts the block figures of the stated noise.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.wall = 0.0
        self.cpu = 0.0
        self.gc_pauses: list[float] = []
        self.series: list[tuple[float, ...]] = []  # (time.time(), server CPU s, server RSS KB)

    def __enter__(self) -> Meter:
        self._since = time.time()
        self._wall, self._cpu = time.perf_counter(), self.server.cpu()
        self._sampler = Sampler(lambda: (self.server.cpu(), self.server.rss_kb()), 0.05).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = self.server.cpu() - self._cpu
        self.series = self._sampler.stop()
        self.gc_pauses = self.server.gc_pauses(self._since, time.time())

    def gc(self) -> dict[str, Any]:
        """The server's full garbage collections in this block: each stops every socket of the process."""
        return {"count": len(self.gc_pauses), "longest_ms": max(self.gc_pauses, default=None)}


@dataclass
class Context:
    system: System
    server: Server
    pool: ClientPool
    sizes: Sizes
    sender: str  # "project", "baseline" or "seed"
    results: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        return self.system.data

    def targets(self, pairs: list[Pair]) -> list[Target]:
        base, origin = self.server.ws_base, self.server.origin
        return [(f"{base}/ws/submissions/{pk}/", f"sessionid={key}", origin) for key, pk in pairs]

    def owners(self, count: int) -> list[Pair]:
        """One socket per submission, each by its owner."""
        return [(self.data["owner_sessions"][i][0], self.data["submissions"][i]) for i in range(count)]

    def spread(self, count: int) -> list[Pair]:
        """`count` sockets over all submissions, every socket with a session of its own."""
        users = len(self.data["submissions"])
        return [
            (self.data["owner_sessions"][j % users][j // users], self.data["submissions"][j % users])
            for j in range(count)
        ]

    def staff(self, count: int, pk: int) -> list[Pair]:
        """`count` staff sockets on one submission."""
        return [(key, pk) for key in self.data["staff_sessions"][:count]]

    def log(self, message: str) -> None:
        print(f"  [{self.system.key}] {message}", flush=True)


def settle(server: Server, *, at_least: float = 1.0, limit: float = 30.0) -> None:
    """Wait until the server has worked off what came before (closing 10,000 sockets takes a while).

    Quiet means under 30% of a core for a second: the hub's periodic sweeps
    and session checks never stop, and at 10,000 sockets they alone take
    about that much.
    """
    time.sleep(at_least)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu()
        time.sleep(1.0)
        if server.cpu() - before < 0.3:
            return


def storm_and_hold(ctx: Context, count: int) -> None:
    """6. and 5.: the largest storm on a fresh server, then its sockets held idle.

    Memory per idle connection is the RSS growth from before the storm to
    3 s after it, divided by the sockets held: it includes whatever the storm
    allocated and did not give back to the OS, as a real storm would.
    """
    ctx.pool.connect(ctx.targets(ctx.spread(20)), deadline=30)  # warm-up: imports, pools, the hub
    ctx.pool.close()
    settle(ctx.server)
    before = ctx.server.rss_kb()
    storm(ctx, count, close=False)
    settle(ctx.server)
    after = ctx.server.rss_kb()
    with Meter(ctx.server) as quiet:
        time.sleep(ctx.sizes.idle_seconds)
    held = ctx.pool.stats()["open"]
    ctx.results["idle"] = {
        "held": held,
        "kb_per_conn": (after - before) / held if held else None,
        "rss_before_mb": before / 1024,
        "rss_after_mb": after / 1024,
        "idle_cpu_pct": quiet.cpu / quiet.wall * 100,
        "gc": quiet.gc(),
        # Noise: the same two figures over BLOCKS equal spans of the idle time (bench.noise).
        "blocks": {
            "kb_per_conn": [(rss - before) / held for rss in mean_slices(quiet.series, column=2)] if held else [],
            "idle_cpu_pct": [rate * 100 for rate in rate_slices(quiet.series)],
        },
    }
    ctx.log(f"idle: {held} held, {ctx.results['idle']['kb_per_conn']} KB/conn")
    ctx.pool.close()
    settle(ctx.server)


def floor(server: Server, pool: ClientPool, count: int) -> dict[str, Any]:
    """5. The bare-server floor: `count` idle sockets on the trivial app of `bench.floor`, measured as storm_and_hold.

    The same server options as the project's; whatever a project socket holds
    above this is the project's own.
    """
    targets = [(f"{server.ws_base}/ws/floor/{i}/", "sessionid=none", server.origin) for i in range(count)]
    pool.connect(targets[:20], deadline=30)
    pool.close()
    settle(server)
    before = server.rss_kb()
    with Meter(server) as meter:
        result = pool.connect(targets, deadline=80)
    settle(server)
    after = server.rss_kb()
    held = pool.stats()["open"]
    pool.close()
    return {
        **result,
        "held": held,
        "kb_per_conn": (after - before) / held if held else None,
        "rss_before_mb": before / 1024,
        "rss_after_mb": after / 1024,
        "cpu_ms_per_connect": meter.cpu / max(1, result["accepted"]) * 1000,
    }


def storm(ctx: Context, count: int, *, key: str | None = None, close: bool = True) -> None:
    """6. `count` sockets open at the same instant; how many hold a snapshot, and when the last did."""
    with Meter(ctx.server) as meter:
        result = ctx.pool.connect(ctx.targets(ctx.spread(count)), deadline=ctx.sizes.storm_deadline)
    result.update({"wall_s": meter.wall, "cpu_s": meter.cpu,
                   "cpu_ms_per_connect": meter.cpu / max(1, result["accepted"]) * 1000})  # fmt: skip
    # Noise: server CPU per snapshot in BLOCKS windows of equal shares of the snapshots (bench.noise).
    done = [result["start_at"] + t for t in result.pop("snapshot_times", [])]
    result["blocks"] = {"cpu_ms_per_connect": per_event(meter.series, done, BLOCKS, factor=1000)}
    ctx.results[key or f"storm_{count}"] = result
    ctx.log(
        f"storm {count}: {result['accepted']} accepted, all snapshots at {result['all_snapshots_s']}, "
        f"failed {result['failed']}, cpu {meter.cpu:.1f}s"
    )
    if close:
        ctx.pool.close()
        settle(ctx.server)
