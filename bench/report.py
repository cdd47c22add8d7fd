"""Turn raw results into the RESULTS.md table: rows are metrics, columns systems.

Rows say what was measured in their label (sizes included) and carry the
issue's goal next to them; a cell is "—" when a scenario does not apply to a
system or did not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.compare import comparison_lines, noise_rows
from bench.config import Sizes
from bench.goals import goal_lines, profile_lines
from bench.rows import rows
from bench.systems import TITLES


def table(results: dict[str, Any], sizes: Sizes) -> str:
    keys = [key for key in TITLES if key in results]
    lines = [
        "| metric | goal | " + " | ".join(TITLES[key] for key in keys) + " |",
        "|---|---|" + "---|" * len(keys),
    ]
    pending: list[str] = []  # the noise row of the current group of rows, written at the group's end
    for label, goal, cell in rows(sizes):
        if not label.startswith(" "):
            lines += pending
            pending = noise_rows(label, results, keys)
        values = []
        for key in keys:
            try:
                value = cell(results[key])
            except (KeyError, TypeError, ZeroDivisionError):
                value = None
            values.append(value or "—")
        if all(v == "—" for v in values):
            continue
        lines.append(f"| {label} | {goal} | " + " | ".join(values) + " |")
    return "\n".join(lines + pending)


def write_results(
    path: Path, results: dict[str, Any], sizes: Sizes, machine: dict[str, Any], previous: dict[str, Any] | None = None
) -> str:
    text = table(results, sizes)
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    errors = [f"- ({key}) {name}: {why}" for key, r in results.items() for name, why in r.get("errors", {}).items()]
    analysis = Path(__file__).parent / "analysis.md"
    notes = analysis.read_text() if analysis.exists() else ""
    parts = [
        "# Benchmark results\n",
        "Written by `make bench` (`python -m bench.run`); see bench/README.md for what each row and column means.\n",
        "## Machine\n",
        f"- {machine['date']}; {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM, "
        f"Linux {machine['kernel']}; RLIMIT_NOFILE {machine['limit_nofile']}",
        f"- Python {machine['python']}; {packages}",
        f"- Redis {machine['redis_server']}, PostgreSQL {machine['postgres']} (both on loopback)",
        f"- app code at commit {machine.get('commit', '?')}"
        + (f", with uncommitted changes to: {_files(machine['dirty'])}" if machine.get("dirty") else ""),
        f"- load average at start {machine['loadavg_start']}, at end {machine['loadavg_end']} (a shared machine); "
        f"whole run {machine['duration_s'] / 60:.1f} min\n",
        "## Sizes\n",
        _sizes(sizes),
        "## Results\n",
        text,
        "",
        *(["Scenarios that failed:\n", *errors, ""] if errors else []),
        "## Goals\n",
        *goal_lines(results),
        "",
        "## Versus the previous run\n",
        *comparison_lines(previous, results, vars(sizes)),
        "## Gaps\n",
        *profile_lines(results),
        notes,
    ]
    path.write_text("\n".join(parts) + "\n")
    return text


def _files(porcelain: str) -> str:
    return ", ".join(line[3:] for line in porcelain.splitlines())


def _sizes(sizes: Sizes) -> str:
    return (
        f"Systems run: {sizes.systems} (`BENCH_SYSTEMS`; c2 is optional). The issue's N are used as given: "
        f"{sizes.latency_clients:,} clients on as many submissions at {sizes.latency_rate:,.0f} msg/s "
        f"({sizes.latency_senders} sender processes), fan-out to {sizes.fanout_clients:,} clients, bursts over "
        f"{sizes.latency_clients:,} submissions, {max(sizes.storm_sizes):,} idle connections, storms of "
        f"{sizes.storms.replace(',', ', ')} (each given {sizes.storm_deadline:.0f} s), {sizes.records:,} records. "
        "What is scaled down to keep the run near 20 minutes is how long each runs: latency for "
        f"{sizes.latency_seconds:.0f} s, {sizes.fanout_messages} fan-out messages "
        f"({sizes.fanout_clients * sizes.fanout_messages:,} deliveries), {sizes.burst_per_client} burst messages "
        f"per submission, {sizes.cost_calls:,} calls per publish-cost figure, each pipeline mode "
        f"{sizes.pipeline_repeats} times, alternating. The largest storm runs again on (a) with "
        f"`--workers {sizes.storm_workers}`, and the bare server's floor is measured first (`bench.floor`). "
        f"Client workers: {sizes.workers} processes on the same 2 cores as the server, the senders, Redis and "
        "PostgreSQL, so throughput and latency are what the whole machine reached; server CPU per message, "
        "frame or connection is the figure that compares systems. Override any size with `BENCH_<NAME>=...` "
        "(see bench/config.py).\n"
    )


def main() -> None:
    """Rebuild RESULTS.md from bench/results.json (after editing bench/analysis.md), without re-running."""
    import json

    here = Path(__file__).parent
    raw = json.loads((here / "results.json").read_text())
    write_results(here / "RESULTS.md", raw["results"], Sizes(**raw["sizes"]), raw["machine"], raw.get("previous"))


if __name__ == "__main__":
    main()
