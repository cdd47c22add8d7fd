"""The verdicts against the previous run and the sections they render (bench.compare), on synthetic figures."""

from __future__ import annotations

import json
import subprocess

from bench import compare
from bench.compare import BETTER, WITHIN, WORSE, verdict


def test_a_change_inside_both_noises_is_within_noise():
    assert verdict(100.0, 108.0, 5.0, 4.0, lower_is_better=True) == WITHIN


def test_lower_is_better_figures_get_worse_upwards():
    assert verdict(100.0, 120.0, 5.0, 4.0, lower_is_better=True) == WORSE
    assert verdict(100.0, 80.0, 5.0, 4.0, lower_is_better=True) == BETTER


def test_higher_is_better_figures_get_worse_downwards():
    assert verdict(10_000.0, 8_000.0, 300.0, 300.0, lower_is_better=False) == WORSE
    assert verdict(10_000.0, 12_000.0, 300.0, 300.0, lower_is_better=False) == BETTER


def test_a_previous_run_without_noise_is_given_this_runs():
    # ±5 now, none before: allowed 10, so +9 is within noise and +11 is not.
    assert verdict(100.0, 109.0, None, 5.0, lower_is_better=True) == WITHIN
    assert verdict(100.0, 111.0, None, 5.0, lower_is_better=True) == WORSE


def test_a_count_with_no_noise_is_worse_at_any_loss():
    assert verdict(100.0, 99.9, 0.0, 0.0, lower_is_better=False) == WORSE
    assert verdict(100.0, 100.0, 0.0, 0.0, lower_is_better=False) == WITHIN


def test_without_any_noise_a_worse_figure_says_so():
    assert verdict(1.0, 2.0, None, None, lower_is_better=True) == "worse (noise not estimated)"
    assert verdict(2.0, 1.0, None, None, lower_is_better=True) == BETTER


def _fanout(cpu: float, blocks: list[float]) -> dict:
    return {"fanout": {"cpu_us_per_frame": cpu, "per_s": 1000.0, "blocks": {"cpu_us_per_frame": blocks}}}


def test_comparison_lists_each_figure_with_its_verdict():
    previous = {
        "source": "test",
        "date": "yesterday",
        "commit": "abc",
        "sizes": {"fanout_clients": 1000},
        "figures": {"a": {"fanout.cpu": {"value": 20.0, "noise": 1.0}, "fanout.per_s": {"value": 1000.0}}},
    }
    results = {"a": _fanout(30.0, [29.0, 30.0, 31.0])}
    lines = compare.comparison_lines(previous, results, {"fanout_clients": 1000})
    text = "\n".join(lines)
    row = next(line for line in lines if line.startswith("| 2. server CPU per frame"))
    assert "| (a) | 20 | 30 | +10 (+50%) | ±1 / ±1 | **worse beyond noise** |" in row
    assert "Worse beyond noise: (a) 2. server CPU per frame (µs)." in text
    assert "Sizes differ" not in text
    # deliveries/s has no blocks now and none before: unchanged, so within noise.
    assert any(line.startswith("| 2. deliveries/s (/s) | (a) | 1,000 | 1,000 |") and WITHIN in line for line in lines)


def test_comparison_warns_when_sizes_differ_and_skips_figures_not_in_both():
    previous = {"source": "test", "sizes": {"fanout_clients": 1000}, "figures": {"b": {"fanout.cpu": {"value": 1}}}}
    lines = compare.comparison_lines(previous, {"a": _fanout(30.0, [29.0, 31.0])}, {"fanout_clients": 200})
    text = "\n".join(lines)
    assert "**Sizes differ from the previous run** (fanout_clients 1000 → 200)" in text
    assert "No figure ran in both runs." in text


def test_comparison_without_a_previous_run():
    assert compare.comparison_lines(None, {}, {})[0] == "No previous results.json to compare with."


def test_noise_row_states_each_figure_of_its_headline():
    results = {"a": _fanout(30.0, [28.0, 30.0, 32.0]), "b": {}}
    (row,) = compare.noise_rows("2. Fan-out, 1 submission × …", results, ["a", "b"])
    cells = [c.strip() for c in row.split("|")]
    assert cells[-3] == "deliveries/s ±?; server CPU per frame ±2 [3: 28 to 32]"
    assert cells[-2] == "—"
    assert compare.noise_rows("3. Burst …", results, ["a", "b"]) == []


def _previous_file(tmp_path, value: float) -> None:
    raw = {"machine": {"date": "d", "commit": "c"}, "sizes": {}, "results": {"a": _fanout(value, [])}}
    (tmp_path / "results.json").write_text(json.dumps(raw))


def test_load_previous_reads_git_head_first(tmp_path, monkeypatch):
    _previous_file(tmp_path, 99.0)
    committed = {"machine": {"date": "then", "commit": "c0"}, "sizes": {}, "results": {"a": _fanout(20.0, [])}}

    def run(*args, **kwargs):
        return subprocess.CompletedProcess(args, 0, stdout=json.dumps(committed).encode())

    monkeypatch.setattr(compare.subprocess, "run", run)
    previous = compare.load_previous(tmp_path / "results.json")
    assert previous["source"] == "`git show HEAD:bench/results.json`"
    assert previous["figures"]["a"]["fanout.cpu"]["value"] == 20.0


def test_load_previous_falls_back_to_the_file_at_start(tmp_path, monkeypatch):
    _previous_file(tmp_path, 99.0)

    def run(*args, **kwargs):
        raise subprocess.CalledProcessError(128, "git")

    monkeypatch.setattr(compare.subprocess, "run", run)
    previous = compare.load_previous(tmp_path / "results.json")
    assert previous["source"] == "results.json as it was when this run started"
    assert previous["figures"]["a"]["fanout.cpu"]["value"] == 99.0
    assert compare.load_previous(tmp_path / "missing.json") is None
