"""Which figures a run has, their direction, and the noise each states (bench.figures)."""

from __future__ import annotations

import pytest

from bench.figures import figures, measure, measure_all


def _by_key(results):
    return {f.key: f for f in figures(results)}


def test_storm_figures_follow_the_sizes_that_ran():
    results = {"a": {"storm_300": {}, "storm_600": {}}, "c": {"storm_1200": {}}}
    keys = _by_key(results)
    assert {"storm_300.cpu", "storm_600.cpu", "storm_1200.cpu"} <= set(keys)
    assert keys["storm_1200.cpu"].row == "6. Storm of 1,200 "


def test_directions():
    keys = _by_key({})
    assert keys["connect"].lower_is_better
    assert keys["latency.p99"].lower_is_better
    assert not keys["latency.server_within_5ms"].lower_is_better
    assert not keys["burst.per_s"].lower_is_better
    assert not keys["pipeline.on"].lower_is_better
    assert keys["idle.kb"].lower_is_better


def test_storm_accepted_is_an_exact_count():
    figure = _by_key({"a": {"storm_300": {}}})["storm_300.accepted"]
    assert measure(figure, {"storm_300": {"accepted": 270, "requested": 300}}) == {"value": 90.0, "noise": 0.0, "k": 0}


def test_storm_cpu_noise_is_scaled_to_the_whole_figure():
    figure = _by_key({"a": {"storm_300": {}}})["storm_300.cpu"]
    m = measure(figure, {"storm_300": {"cpu_ms_per_connect": 4.0, "blocks": {"cpu_ms_per_connect": [1.5, 2.0, 2.5]}}})
    assert m["noise"] == pytest.approx(1.0)  # ±25% of the blocks' median, applied to 4.0
    assert (m["low"], m["high"], m["k"]) == (1.5, 2.5, 3)


def test_pipeline_noise_comes_from_its_runs_and_pairs():
    r = {"pipeline": {"off": {"records_per_s": 1000.0}, "on": {"records_per_s": 900.0},
                      "runs": {"off": [{"records_per_s": 1000.0}, {"records_per_s": 800.0}],
                               "on": [{"records_per_s": 900.0}, {"records_per_s": 950.0}]},
                      "overhead_median_pct": 2.0, "overhead_pairs_pct": [-4.0, 2.0, 6.0]}}  # fmt: skip
    keys = _by_key({})
    assert measure(keys["pipeline.off"], r)["noise"] == pytest.approx(100.0)
    assert measure(keys["pipeline.on"], r)["noise"] == pytest.approx(25.0)
    assert measure(keys["pipeline.overhead"], r)["noise"] == pytest.approx(5.0)


def test_a_figure_without_blocks_states_no_noise_and_one_not_run_is_absent():
    keys = _by_key({})
    # A run written before 7b had rounds: its figure is kept, with no noise stated.
    assert measure(keys["big_snapshots.cpu"], {"big_snapshots": {"cpu_ms_per_connect": 3.0}}) == {
        "value": 3.0,
        "noise": None,
    }
    assert measure(keys["fanout.cpu"], {}) is None


def test_7b_states_the_noise_of_its_rounds():
    keys = _by_key({})
    r = {"big_snapshots": {"cpu_ms_per_connect": 2.2, "blocks": {"cpu_ms_per_connect": [2.0, 3.0, 2.0, 2.0, 2.0]}}}
    assert measure(keys["big_snapshots.cpu"], r)["noise"] == pytest.approx(0.5)


def test_measure_all_skips_the_floor_and_systems_without_the_scenario():
    results = {"floor": {"kb_per_conn": 20.0}, "a": {"idle": {"kb_per_conn": 40.0}}, "c": {}}
    measured = measure_all(results)
    assert set(measured) == {"a"}
    assert measured["a"]["idle.kb"]["value"] == 40.0
