"""The results table keeps its rows and gains a noise row at the end of each headline's group (bench.report)."""

from __future__ import annotations

from bench.config import Sizes
from bench.report import table, write_results

FANOUT = {"fanout": {"cpu_us_per_frame": 26.0, "per_s": 28_000.0, "p50_ms": 400.0, "p99_ms": 800.0,
                     "delivered": 30, "expected": 30, "send_rate": 50.0, "wall_s": 2.0,
                     "blocks": {"cpu_us_per_frame": [20.0, 21.0, 22.0]}}}  # fmt: skip


def test_noise_row_closes_its_group():
    lines = table({"a": FANOUT}, Sizes()).splitlines()
    headline = next(i for i, line in enumerate(lines) if line.startswith("| 2. Fan-out"))
    noise = next(i for i, line in enumerate(lines) if "± noise in this run" in line)
    assert "server CPU per frame ±1 [3: 20 to 22]" in lines[noise]
    assert noise > headline + 1  # after the group's own rows, not between the headline and them
    assert lines[noise - 1].startswith("|    latency p50 / p99 (ms)")
    assert lines[headline].endswith("| ≤ 15 µs | 26 |")  # the existing row as it was


def test_results_md_has_the_comparison_section(tmp_path):
    machine = {"date": "now", "cpu": "x", "cores": 2, "ram_gb": 1, "kernel": "k", "limit_nofile": 1, "python": "3",
               "packages": {}, "redis_server": "7", "postgres": "15", "loadavg_start": "0", "loadavg_end": "0",
               "duration_s": 60}  # fmt: skip
    previous = {"source": "git", "sizes": vars(Sizes()), "figures": {"a": {"fanout.cpu": {"value": 20.0}}}}
    write_results(tmp_path / "RESULTS.md", {"a": FANOUT}, Sizes(), machine, previous)
    text = (tmp_path / "RESULTS.md").read_text()
    section = text.split("## Versus the previous run\n", 1)[1].split("## Gaps", 1)[0]
    assert "| 2. server CPU per frame (µs) | (a) | 20 | 26 | +6 (+30%) | — / ±1 | **worse beyond noise** |" in section
    assert text.index("## Goals") < text.index("## Versus the previous run")
