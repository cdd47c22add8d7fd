"""The issue's goals, checked against the project's columns (a and b).

Goals are for the report, not asserts: a miss is listed with its number,
and the profiles taken in the same run show where the time went.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = tuple[str, Callable[[dict[str, Any]], float | None], Callable[[float], bool], str]


def _g(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _storm_ok(r: dict[str, Any]) -> float | None:
    storms = sorted((int(k.split("_")[1]), v) for k, v in r.items() if k.startswith("storm_") and v)
    if not storms:
        return None
    count, storm = storms[-1]
    return storm["within_10s"] / count * 100


def _publish(r: dict[str, Any]) -> float | None:
    return _g(r, "cost", "publish", "call_us_mean")


CHECKS: list[Check] = [
    ("latency p99 ≤ 5 ms, send_message called → page", lambda r: _g(r, "latency", "p99_ms"), lambda v: v <= 5, "ms"),
    ("latency p99 ≤ 5 ms, send_message returned → page", lambda r: _g(r, "latency", "after_return_p99_ms"),
     lambda v: v <= 5, "ms"),
    ("latency p99 ≤ 5 ms, sender inside the server, called → page", lambda r: _g(r, "latency_inproc", "p99_ms"),
     lambda v: v <= 5, "ms"),
    ("fan-out ≤ 20 µs server CPU per frame",
     lambda r: _g(r, "fanout", "cpu_us_per_frame"), lambda v: v <= 20, "µs"),
    ("≥ 25,000 msg/s from one ASGI process", lambda r: _g(r, "burst", "per_s"), lambda v: v >= 25_000, "msg/s"),
    ("publish ≤ 200 µs for the caller", _publish, lambda v: v <= 200, "µs"),
    ("≤ 10 KB per idle connection", lambda r: _g(r, "idle", "kb_per_conn"), lambda v: v <= 10, "KB"),
    ("100% of the largest storm hold a snapshot within 10 s", _storm_ok, lambda v: v >= 100, "%"),
    ("messaging overhead ≤ 2% (accounted from its parts)", lambda r: _g(r, "pipeline", "overhead_accounted_pct"),
     lambda v: v <= 2, "%"),
]  # fmt: skip


def goal_lines(results: dict[str, Any]) -> list[str]:
    lines = ["| goal | " + " | ".join(f"({key})" for key in ("a", "b") if key in results) + " |",
             "|---|" + "---|" * sum(1 for key in ("a", "b") if key in results)]  # fmt: skip
    for name, measure, ok, unit in CHECKS:
        cells = []
        for key in ("a", "b"):
            if key not in results:
                continue
            value = measure(results[key])
            cells.append("—" if value is None else f"{'met' if ok(value) else '**missed**'} ({value:,.1f} {unit})")
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
