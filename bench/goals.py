"""The issue's goals, checked against the project's columns (a and b).

Goals are for the report, not asserts: a miss is listed with its number,
and the profiles taken in the same run show where the time went.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Verdict = tuple[bool, str] | None  # met?, the figure; None: not measured here
Check = tuple[str, Callable[[dict[str, Any]], Verdict]]


def _g(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _at_most(limit: float, unit: str, *path: str) -> Callable[[dict[str, Any]], Verdict]:
    def check(r: dict[str, Any]) -> Verdict:
        value = _g(r, *path)
        return None if value is None else (value <= limit, f"{value:,.1f} {unit}")

    return check


def _at_least(limit: float, unit: str, *path: str) -> Callable[[dict[str, Any]], Verdict]:
    def check(r: dict[str, Any]) -> Verdict:
        value = _g(r, *path)
        return None if value is None else (value >= limit, f"{value:,.0f} {unit}")

    return check


def _connect_cost(r: dict[str, Any]) -> Verdict:
    value = _g(r, "latency_connect", "cpu_ms_per_connect")
    return None if value is None else (value <= 1.5, f"{value:,.2f} ms")


def _workers_storm(r: dict[str, Any]) -> Verdict:
    s = _g(r, "workers_storm")
    if not s:
        return None
    failed = s["requested"] - s["accepted"]
    last = s.get("all_snapshots_s")
    ok = failed == 0 and last is not None and last <= 20
    return ok, f"{failed:,} failed; last snapshot at {'—' if last is None else f'{last:,.1f} s'}"


def _memory(r: dict[str, Any]) -> Verdict:
    held, kb, floor = _g(r, "idle", "held"), _g(r, "idle", "kb_per_conn"), _g(r, "floor", "kb_per_conn")
    if kb is None or floor is None:
        return None
    return kb - floor <= 4, f"{kb - floor:,.1f} KB above a floor of {floor:,.1f} KB; {held:,} held"


def _server_latency(r: dict[str, Any]) -> Verdict:
    s = _g(r, "latency", "server")
    if not s or not s.get("samples"):
        return None
    return s["within_5ms_pct"] >= 99, f"p99 ≤ {s['p99_ms_at_most']:,.1f} ms; {s['within_5ms_pct']:.2f}% within 5 ms"


def _overhead(r: dict[str, Any]) -> Verdict:
    s = _g(r, "pipeline")
    if not s or s.get("overhead_median_pct") is None:
        return None
    pairs = len(s.get("overhead_pairs_pct", []))
    return pairs >= 3 and s["overhead_median_pct"] <= 5, f"{s['overhead_median_pct']:+.1f}% over {pairs} pairs"


# Issue 17's goals, in its order.
CHECKS: list[Check] = [
    ("1. connect ≤ 1.5 ms server CPU (1,000 connects, 250 at a time)", _connect_cost),
    ("1. storm of the largest size on WORKERS processes: none failed, every snapshot within 20 s", _workers_storm),
    ("1. 7b: opening a 100,000-record submission ≤ 5 ms server CPU per connect",
     _at_most(5, "ms", "big_snapshots", "cpu_ms_per_connect")),
    ("2. idle socket ≤ 4 KB above the bare server's floor", _memory),
    ("3. burst ≥ 10,000 msg/s from one process", _at_least(10_000, "msg/s", "burst", "per_s")),
    ("3. fan-out ≤ 15 µs server CPU per frame", _at_most(15, "µs", "fanout", "cpu_us_per_frame")),
    ("4. server-side latency p99 ≤ 5 ms, send_message commit → socket write", _server_latency),
    ("5. progress overhead ≤ 5%, whole runs, ≥ 3 alternating pairs", _overhead),
    ("publish ≤ 200 µs for the caller", _at_most(200, "µs", "cost", "publish", "call_us_mean")),
]  # fmt: skip


def goal_lines(results: dict[str, Any]) -> list[str]:
    keys = [key for key in ("a", "b") if key in results]
    lines = ["| goal | " + " | ".join(f"({key})" for key in keys) + " |", "|---|" + "---|" * len(keys)]
    for name, check in CHECKS:
        cells = []
        for key in keys:
            verdict = check(results[key])
            cells.append("—" if verdict is None else f"{'met' if verdict[0] else '**missed**'} ({verdict[1]})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def profile_lines(results: dict[str, Any]) -> list[str]:
    """The top frames of each py-spy profile taken in this run."""
    lines: list[str] = []
    for key, r in results.items():
        for name, summary in (r.get("profiles") or {}).items():
            lines.append(f"### Profile ({key}) {name}: {summary['samples']:,} samples of the busy server\n")
            lines.append("Own time (leaf frames):\n")
            lines += [f"- {pct}% `{frame}`" for pct, frame in summary["self"]]
            if summary.get("db"):
                lines.append("\nIn the DB thread (`database_sync_to_async`), by the function it ran:\n")
                lines += [f"- {pct}% `{frame}`" for pct, frame in summary["db"]]
            lines.append("\nInclusive time, plumbing frames left out:\n")
            lines += [f"- {pct}% `{frame}`" for pct, frame in summary["inclusive"]]
            lines.append("")
    return lines
