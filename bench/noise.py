"""Noise from within one run: a scenario's measurement cut into blocks, and the spread of the block figures.

A figure that moved between two runs can only be judged against how much
it moves by itself. Running everything twice would double `make bench`, so
each scenario's own measurement is cut into `BLOCKS` parts (send-time slices
of the latency run, equal shares of the frames received, contiguous runs of
calls, RSS samples while idle, connect batches) and the figure is computed
for each part. The stated noise is half the spread (max − min) of the block
figures. Pure functions only: the scenarios collect the raw series, this
module turns them into block figures (see bench/README.md, "Noise").
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from bench.sending import quantile

BLOCKS = 5

Series = Sequence[tuple[float, ...]]  # (time.time(), value, ...) samples, in time order


def interpolate(series: Series, at: float, column: int = 1) -> float:
    """The sampled value at time `at`, linear between samples, held flat beyond the first and last."""
    if not series:
        raise ValueError("empty series")
    if at <= series[0][0]:
        return series[0][column]
    for (t0, *v0), (t1, *v1) in itertools.pairwise(series):
        if at <= t1:
            a, b = v0[column - 1], v1[column - 1]
            return a if t1 == t0 else a + (b - a) * (at - t0) / (t1 - t0)
    return series[-1][column]


def windows(times: Sequence[float], k: int = BLOCKS) -> list[tuple[float, float, int]]:
    """`k` consecutive windows over sorted event times, each holding an equal share of the events.

    Returns (start, end, events) per window; fewer windows when there are
    fewer than 2 events per window.
    """
    ordered = sorted(times)
    k = min(k, len(ordered) // 2)
    if k < 1:
        return []
    edges = [round(j * (len(ordered) - 1) / k) for j in range(k + 1)]
    return [(ordered[a], ordered[b], b - a) for a, b in itertools.pairwise(edges) if b > a]


def per_event(series: Series, times: Sequence[float], k: int = BLOCKS, factor: float = 1e6) -> list[float]:
    """A sampled counter's growth per event in each window of `times` (e.g. server CPU µs per frame).

    The windows cover the events' own span only (first to last frame), so
    the block figures leave out the idle time a scenario's whole meter also
    holds; `spread(..., scaled=True)` carries their relative spread over to
    the whole-run figure.
    """
    if len(series) < 2:
        return []
    out = []
    for start, end, count in windows(times, k):
        grown = interpolate(series, end) - interpolate(series, start)
        out.append(grown / count * factor)
    return out


def per_second(times: Sequence[float], k: int = BLOCKS) -> list[float]:
    """Events per second in each window of `times` (deliveries/s, msg/s of a burst)."""
    return [count / (end - start) for start, end, count in windows(times, k) if end > start]


def quantile_slices(pairs: Sequence[tuple[float, float]], k: int = BLOCKS) -> dict[str, list[float]]:
    """p50 and p99 latency (ms) of `(sent, received)` pairs cut into `k` equal slices of send time.

    Slices with fewer than half their fair share of pairs (the start-up and
    tail of a paced run) are left out: their quantiles would be of a few
    samples.
    """
    if len(pairs) < 2 * k:
        return {"p50_ms": [], "p99_ms": []}
    first = min(at for at, _ in pairs)
    span = max(at for at, _ in pairs) - first or 1.0
    slices: list[list[float]] = [[] for _ in range(k)]
    for at, got in pairs:
        slices[min(k - 1, int((at - first) / span * k))].append((got - at) * 1000)
    full = [s for s in slices if len(s) >= len(pairs) / k / 2]
    return {"p50_ms": [statistics.median(s) for s in full], "p99_ms": [quantile(s, 0.99) for s in full]}


def chunk_means(values: Sequence[float], k: int = BLOCKS) -> list[float]:
    """The mean of each of `k` contiguous runs of `values` (calls timed one after another)."""
    k = min(k, len(values))
    if k < 1:
        return []
    edges = [round(j * len(values) / k) for j in range(k + 1)]
    return [statistics.fmean(values[a:b]) for a, b in itertools.pairwise(edges) if b > a]


def time_slices(series: Series, k: int = BLOCKS, column: int = 1) -> list[tuple[Series, float]]:
    """`series` cut into `k` equal spans of time: each slice's samples (its ends interpolated) and its length."""
    if len(series) < 2:
        return []
    start, end = series[0][0], series[-1][0]
    step = (end - start) / k
    if step <= 0:
        return []
    out = []
    for j in range(k):
        a, b = start + j * step, start + (j + 1) * step
        inside = [(a, interpolate(series, a, column))]
        inside += [(s[0], s[column]) for s in series if a < s[0] < b]
        inside.append((b, interpolate(series, b, column)))
        out.append((inside, step))
    return out


def rate_slices(series: Series, k: int = BLOCKS, column: int = 1) -> list[float]:
    """A sampled counter's growth per second in each of `k` equal spans of time (CPU seconds/s while idle)."""
    return [(s[-1][1] - s[0][1]) / length for s, length in time_slices(series, k, column)]


def mean_slices(series: Series, k: int = BLOCKS, column: int = 1) -> list[float]:
    """A sampled level's mean in each of `k` equal spans of time (RSS while sockets idle)."""
    return [statistics.fmean(v for _, v in s) for s, _ in time_slices(series, k, column)]


def substantial(counts: Sequence[float]) -> list[int]:
    """Indices of the blocks holding at least half the mean block's count (drops start-up and tail slivers)."""
    if not counts:
        return []
    floor = statistics.fmean(counts) / 2
    return [i for i, c in enumerate(counts) if c and c >= floor]


def spread(value: float | None, blocks: Sequence[float] | None, *, scaled: bool = False) -> dict[str, Any] | None:
    """The stated noise of `value`: half the range of its block figures, None with fewer than 2 blocks.

    `scaled`: the blocks measure a part of what the whole figure holds (the
    active span of a scenario, without its idle edges), so their spread is
    taken relative to their median and applied to `value`.
    """
    if value is None or not blocks or len(blocks) < 2:
        return None
    low, high = min(blocks), max(blocks)
    half = (high - low) / 2
    if scaled:
        middle = statistics.median(blocks)
        if not middle:
            return None
        half *= abs(value / middle)
    return {"noise": half, "low": low, "high": high, "k": len(blocks)}


def delivery_blocks(receipts: Sequence[tuple[float, float]], series: Series) -> dict[str, list[float]]:
    """The block figures of a delivery scenario (bench.messaging.summary): latency, throughput, CPU.

    Latency quantiles per slice of send time; deliveries/s and server CPU
    per frame per window of an equal share of the frames received.
    """
    received = [got for _, got in receipts]
    return {
        **quantile_slices(receipts),
        "per_s": per_second(received),
        "cpu_us_per_frame": per_event(series, received),
    }


def histogram_blocks(scrapes: Series, measure: Callable[[Any, Any], dict[str, Any] | None]) -> dict[str, list[float]]:
    """The server histogram's figures between consecutive scrapes `(time, buckets)`, by `measure(before, after)`.

    Slices with under half the mean slice's samples (the senders' start-up,
    the tail) are left out.
    """
    parts = [measure(a[1], b[1]) for a, b in itertools.pairwise(scrapes)]
    parts = [p for p in parts if p and p.get("samples")]
    keep = [parts[i] for i in substantial([p["samples"] for p in parts])]
    return {name: [p[name] for p in keep] for name in ("p50_ms_at_most", "p99_ms_at_most", "within_5ms_pct")}
