"""The headline figures of the results table, each with its direction and where its noise comes from.

One list serves both the noise rows of the table (bench.report) and the
comparison with the previous run (bench.compare), so a figure is judged by
the same noise it states. A figure's blocks are what the scenario stored
under `blocks` (bench.noise); the pipeline's are its alternating runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.noise import spread
from bench.rows import get

Extract = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Figure:
    key: str  # stable across runs: how the comparison pairs figures up
    row: str  # the label prefix of the table row it belongs to
    name: str
    unit: str
    lower_is_better: bool
    value: Extract
    blocks: Extract | None  # None: no noise estimate; see `exact`
    how: str  # what the blocks are, for the noise row
    scaled: bool = False  # the blocks cover the scenario's active span only (bench.noise.spread)
    exact: bool = False  # a count: stated noise 0
    digits: int = 1


def at(*path: str) -> Extract:
    return lambda r: get(r, *path)


def _delivery(key: str, row: str, *, throughput: bool, server: bool) -> list[Figure]:
    out = []
    if server:
        out += [
            Figure(f"{key}.server_p99", row, "server p99 (bucket bound)", "ms", True,
                   at(key, "server", "p99_ms_at_most"), at(key, "server", "blocks", "p99_ms_at_most"),
                   "time slices"),
            Figure(f"{key}.server_within_5ms", row, "server share within 5 ms", "%", False,
                   at(key, "server", "within_5ms_pct"), at(key, "server", "blocks", "within_5ms_pct"),
                   "time slices", digits=2),
        ]  # fmt: skip
    if throughput:
        out.append(Figure(f"{key}.per_s", row, "msg/s" if key == "burst" else "deliveries/s", "/s", False,
                          at(key, "per_s"), at(key, "blocks", "per_s"), "frame shares", digits=0))  # fmt: skip
    out += [
        Figure(f"{key}.cpu", row, "server CPU per frame", "µs", True, at(key, "cpu_us_per_frame"),
               at(key, "blocks", "cpu_us_per_frame"), "frame shares of the active span", scaled=True, digits=0),
        Figure(f"{key}.p50", row, "client p50", "ms", True, at(key, "p50_ms"), at(key, "blocks", "p50_ms"),
               "send-time slices"),
        Figure(f"{key}.p99", row, "client p99", "ms", True, at(key, "p99_ms"), at(key, "blocks", "p99_ms"),
               "send-time slices"),
    ]  # fmt: skip
    return out


def _accepted(key: str) -> Extract:
    def value(r: dict[str, Any]) -> float | None:
        s = get(r, key)
        return s["accepted"] / s["requested"] * 100 if s and s.get("requested") else None

    return value


def _storm(key: str, row: str) -> list[Figure]:
    return [
        Figure(f"{key}.accepted", row, "accepted", "%", False, _accepted(key), None, "a count", exact=True),
        Figure(f"{key}.cpu", row, "server CPU per connect", "ms", True, at(key, "cpu_ms_per_connect"),
               at(key, "blocks", "cpu_ms_per_connect"), "snapshot shares of the active span", scaled=True,
               digits=2),
    ]  # fmt: skip


def _pipeline_runs(mode: str) -> Extract:
    return lambda r: [run["records_per_s"] for run in get(r, "pipeline", "runs", mode) or []]


def _cost(path: tuple[str, ...], name: str) -> Figure:
    return Figure(f"cost.{path[-1] if path else 'connection'}", "4. ", name, "µs", True,
                  at("cost", *path, "call_us_mean"), at("cost", *path, "blocks", "call_us_mean"),
                  "contiguous runs of calls", digits=0)  # fmt: skip


def figures(results: dict[str, Any]) -> list[Figure]:
    """Every headline figure, in the table's order; storms for every size any system ran."""
    storms = sorted({int(m[1]) for r in results.values() if isinstance(r, dict)
                     for k in r if (m := re.fullmatch(r"storm_(\d+)", k))})  # fmt: skip
    out = [
        Figure("connect", "0. ", "server CPU per connect", "ms", True, at("latency_connect", "cpu_ms_per_connect"),
               at("latency_connect", "blocks", "cpu_ms_per_connect"), "batches of 250", digits=2),
        *_delivery("latency", "1. ", throughput=False, server=True),
        *_delivery("latency_inproc", "1b. ", throughput=False, server=True),
        *_delivery("fanout", "2. ", throughput=True, server=False),
        *_delivery("burst", "3. ", throughput=True, server=False),
        _cost(("full",), "`send_message` mean call"),
        _cost(("db_only",), "DB write alone, mean call"),
        _cost(("publish",), "`publish` mean call"),
        _cost(("async_to_sync",), "`async_to_sync(group_send)` mean call"),
        _cost((), "new connection per message, mean call"),
        Figure("idle.kb", "5. ", "server RSS per idle socket", "KB", True, at("idle", "kb_per_conn"),
               at("idle", "blocks", "kb_per_conn"), "RSS over time slices of the idle hold"),
        Figure("idle.cpu", "5. ", "server CPU while idle", "% of a core", True, at("idle", "idle_cpu_pct"),
               at("idle", "blocks", "idle_cpu_pct"), "time slices of the idle hold"),
    ]  # fmt: skip
    for count in storms:
        out += _storm(f"storm_{count}", f"6. Storm of {count:,} ")
    out += [
        *_storm("workers_storm", "6w. "),
        Figure("pipeline.off", "7. ", "records/s, progress off", "/s", False, at("pipeline", "off", "records_per_s"),
               _pipeline_runs("off"), "its alternating runs", digits=0),
        Figure("pipeline.on", "7. ", "records/s, progress on", "/s", False, at("pipeline", "on", "records_per_s"),
               _pipeline_runs("on"), "its alternating runs", digits=0),
        Figure("pipeline.overhead", "7. ", "messaging overhead (median of pairs)", "%", True,
               at("pipeline", "overhead_median_pct"), at("pipeline", "overhead_pairs_pct"), "its pairs"),
        Figure("big_snapshots.cpu", "7b. ", "server CPU per connect", "ms", True,
               at("big_snapshots", "cpu_ms_per_connect"), at("big_snapshots", "blocks", "cpu_ms_per_connect"),
               "its rounds of connects"),
    ]  # fmt: skip
    return out


def measure(figure: Figure, r: dict[str, Any]) -> dict[str, Any] | None:
    """One system's value of `figure` and its stated noise (None: the scenario did not run there)."""
    try:
        value = figure.value(r)
    except (KeyError, TypeError, ZeroDivisionError):
        return None
    if value is None:
        return None
    try:
        blocks = figure.blocks(r) if figure.blocks else None
    except (KeyError, TypeError, ZeroDivisionError):  # a run written before the figure had blocks
        blocks = None
    if figure.exact:
        return {"value": value, "noise": 0.0, "k": 0}
    stated = spread(value, blocks, scaled=figure.scaled)
    return {"value": value, "noise": None, **(stated or {})}


def measure_all(results: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """{system: {figure key: value and noise}} for every system and figure that ran."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for figure in figures(results):
        for key, r in results.items():
            if key == "floor" or not isinstance(r, dict):
                continue
            if (m := measure(figure, r)) is not None:
                out.setdefault(key, {})[figure.key] = m
    return out
