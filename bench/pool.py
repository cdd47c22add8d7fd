"""The orchestrator's side of the client workers.

Targets are dealt round-robin over the workers, every worker opens its share
at one agreed wall-clock instant (a storm is simultaneous across processes),
and results are summed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import statistics
import time
from collections import Counter
from typing import Any

from bench.clients import Target, worker_main


class ClientPool:
    """A fixed set of client worker processes, reused across scenarios."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        self.retry: list[Target] = []  # the targets the last `connect` failed to open
        for _ in range(workers):
            parent, child = context.Pipe()
            process = context.Process(target=worker_main, args=(child,), daemon=True)
            process.start()
            self.conns.append(parent)
            self.procs.append(process)

    def _all(self, command: str, args: list[Any] | None = None, timeout: float = 600) -> list[dict[str, Any]]:
        for index, conn in enumerate(self.conns):
            conn.send((command, args[index] if args is not None else None))
        results = []
        for conn in self.conns:
            if not conn.poll(timeout):
                raise TimeoutError(f"client worker did not answer {command!r} in {timeout} s")
            results.append(conn.recv())
        return results

    def connect(self, targets: list[Target], *, deadline: float, deflate: bool = True) -> dict[str, Any]:
        """Open all targets at once; return accepted count, failures and timings (seconds from start)."""
        start_at = time.time() + 0.5
        shares = [targets[index :: len(self.conns)] for index in range(len(self.conns))]
        args = [
            {"targets": share, "start_at": start_at, "deadline": start_at + deadline, "deflate": deflate}
            for share in shares
        ]
        results = self._all("connect", args, timeout=deadline + 60)
        failed: Counter[str] = Counter()
        for result in results:
            failed.update(result["failed"])
        self.retry = [target for result in results for target in result["retry"]]
        snapshot = [t for result in results for t in result["snapshot"]]
        return {
            "requested": len(targets),
            "accepted": sum(result["accepted"] for result in results),
            "failed": dict(failed),
            "all_snapshots_s": max(snapshot) if snapshot else None,
            "first_snapshot_s": min(snapshot) if snapshot else None,
            "median_snapshot_s": statistics.median(snapshot) if snapshot else None,
            "within_10s": sum(1 for t in snapshot if t <= 10.0),
            "within_20s": sum(1 for t in snapshot if t <= 20.0),
            "opened_s": max((t for result in results for t in result["opened"]), default=None),
            # For the noise of a storm's CPU per connect (bench.scenarios.storm); not kept in results.json.
            "start_at": start_at,
            "snapshot_times": snapshot,
        }

    def ramp(
        self, targets: list[Target], *, batch: int, deadline: float, deflate: bool = True, retries: int = 3
    ) -> dict[str, Any]:
        """Connect in batches, each simultaneous, so the result is not a storm.

        Sockets refused on the way (the stock stack refuses when its Redis
        pool runs out) are retried in smaller batches: the messaging
        scenarios need their sockets, and storms are measured elsewhere.
        """
        started = time.time()
        total: dict[str, Any] = {"requested": len(targets), "accepted": 0, "failed": Counter(), "retried": 0}
        pending = targets
        for attempt in range(retries + 1):
            size = max(10, batch // 4**attempt)
            retry: list[Target] = []
            for offset in range(0, len(pending), size):
                result = self.connect(pending[offset : offset + size], deadline=deadline, deflate=deflate)
                total["accepted"] += result["accepted"]
                retry += self.retry
                if attempt == retries:
                    total["failed"].update(result["failed"])
            if not retry:
                break
            total["retried"] += len(retry)
            pending = retry
        total["seconds"] = time.time() - started
        total["failed"] = dict(total["failed"])
        return total

    def open_count(self) -> int:
        return sum(result["open"] for result in self._all("count"))

    def frames(self) -> int:
        return sum(result["frames"] for result in self._all("count"))

    def wait_frames(self, expected: int, *, timeout: float, idle: float = 5.0) -> int:
        """Poll until `expected` frames arrived, `timeout` passed, or nothing arrived for `idle` seconds."""
        deadline = time.monotonic() + timeout
        seen, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = self.frames()
            if count >= expected:
                return count
            if count != seen:
                seen, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > idle:
                break
            time.sleep(0.1)
        return self.frames()

    def stats(self) -> dict[str, Any]:
        results = self._all("stats")
        firsts = [r["first"] for r in results if r["frames"]]
        closed: Counter[str] = Counter()
        for result in results:
            closed.update(result["closed"])
        return {
            "frames": sum(r["frames"] for r in results),
            "receipts": [tuple(x) for r in results for x in r["receipts"]],
            "first": min(firsts) if firsts else 0.0,
            "last": max((r["last"] for r in results), default=0.0),
            "progress": sorted(t for r in results for t in r["progress"]),
            "closed": dict(closed),
            "open": sum(r["open"] for r in results),
        }

    def reset(self) -> None:
        self._all("reset")

    def close(self) -> int:
        return sum(result["closed"] for result in self._all("close"))

    def shutdown(self) -> None:
        with contextlib.suppress(OSError, EOFError, TimeoutError):
            self._all("quit", timeout=30)
        for process in self.procs:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
