"""The block figures and the stated noise (bench.noise), on synthetic series with known answers."""

from __future__ import annotations

import pytest

from bench import noise


def test_interpolate_is_linear_between_samples_and_flat_outside():
    series = [(10.0, 0.0), (12.0, 4.0)]
    assert noise.interpolate(series, 11.0) == pytest.approx(2.0)
    assert noise.interpolate(series, 9.0) == 0.0
    assert noise.interpolate(series, 13.0) == 4.0


def test_interpolate_reads_the_column_asked_for():
    series = [(0.0, 1.0, 100.0), (1.0, 2.0, 300.0)]
    assert noise.interpolate(series, 0.5, column=2) == pytest.approx(200.0)


def test_windows_hold_equal_shares_of_the_events():
    times = [float(t) for t in range(101)]  # 101 events, one a second
    parts = noise.windows(times, 5)
    assert [count for _, _, count in parts] == [20] * 5
    assert parts[0][:2] == (0.0, 20.0)
    assert parts[-1][:2] == (80.0, 100.0)


def test_windows_are_fewer_when_events_are_few():
    assert len(noise.windows([1.0, 2.0, 3.0, 4.0], 5)) == 2
    assert noise.windows([1.0], 5) == []


def test_per_event_follows_a_cost_that_doubles_half_way():
    # CPU grows 1 s/s for 10 s, then 2 s/s; events arrive 100/s throughout.
    series = [(t / 10, t / 10 if t <= 100 else 10 + 2 * (t / 10 - 10)) for t in range(201)]
    times = [t / 100 for t in range(2001)]
    blocks = noise.per_event(series, times, 4)
    assert blocks == pytest.approx([10_000, 10_000, 20_000, 20_000])


def test_per_event_needs_a_series():
    assert noise.per_event([(0.0, 1.0)], [0.0, 1.0, 2.0]) == []


def test_per_second_counts_each_window():
    times = [t / 100 for t in range(101)] + [1 + t / 10 for t in range(1, 101)]  # 100/s for 1 s, then 10/s
    blocks = noise.per_second(times, 2)
    assert blocks[0] > 50  # the first half of the events came mostly at 100/s
    assert blocks[1] == pytest.approx(10, rel=0.05)


def test_quantile_slices_see_a_slow_second_half():
    pairs = [(t / 100, t / 100 + (0.010 if t < 500 else 0.100)) for t in range(1000)]
    blocks = noise.quantile_slices(pairs, 2)
    assert blocks["p50_ms"] == pytest.approx([10.0, 100.0])
    assert blocks["p99_ms"] == pytest.approx([10.0, 100.0])


def test_quantile_slices_leave_out_a_thin_tail():
    pairs = [(t / 100, t / 100 + 0.005) for t in range(400)] + [(10.0, 10.5)]  # one straggler far later
    blocks = noise.quantile_slices(pairs, 5)
    # 0–4 s fill the first two of five 2-second slices; the straggler's slice (one pair) is dropped.
    assert blocks["p99_ms"] == pytest.approx([5.0, 5.0])


def test_chunk_means_are_contiguous_runs():
    assert noise.chunk_means([1, 1, 3, 3, 5, 5], 3) == [1, 3, 5]
    assert noise.chunk_means([], 3) == []


def test_rate_and_mean_slices_over_time():
    # CPU at 0.5 s/s then 0.1 s/s; RSS steps from 100 to 200 KB half way.
    series = [(float(t), 0.5 * t if t <= 10 else 5 + 0.1 * (t - 10), 100 if t < 10 else 200) for t in range(21)]
    assert noise.rate_slices(series, 2) == pytest.approx([0.5, 0.1])
    means = noise.mean_slices(series, 2, column=2)
    assert means[0] < 150 < means[1]


def test_substantial_drops_slivers():
    assert noise.substantial([100, 95, 3, 0, 110]) == [0, 1, 4]
    assert noise.substantial([]) == []


def test_spread_is_half_the_range():
    assert noise.spread(10.0, [8.0, 12.0, 10.0]) == {"noise": 2.0, "low": 8.0, "high": 12.0, "k": 3}


def test_spread_scaled_applies_the_relative_spread_to_the_whole_figure():
    # Blocks of the active span say 20 ± 10%; the whole figure, idle edges included, is 30.
    stated = noise.spread(30.0, [18.0, 20.0, 22.0], scaled=True)
    assert stated["noise"] == pytest.approx(3.0)


def test_spread_needs_two_blocks():
    assert noise.spread(1.0, [1.0]) is None
    assert noise.spread(1.0, None) is None
    assert noise.spread(None, [1.0, 2.0]) is None


def test_histogram_blocks_measure_between_consecutive_scrapes():
    scrapes = [(0.0, 0), (1.0, 100), (2.0, 300), (3.0, 305)]

    def measure(before, after):
        return {"samples": after - before, "p50_ms_at_most": 1.0, "p99_ms_at_most": after, "within_5ms_pct": 99.0}

    blocks = noise.histogram_blocks(scrapes, measure)
    assert blocks["p99_ms_at_most"] == [100, 300]  # the 5-sample tail is left out


def test_delivery_blocks_cover_latency_throughput_and_cpu():
    receipts = [(t / 100, t / 100 + 0.002) for t in range(500)]
    series = [(t / 10 - 0.1, t / 100) for t in range(60)]
    blocks = noise.delivery_blocks(receipts, series)
    assert len(blocks["p50_ms"]) == len(blocks["per_s"]) == len(blocks["cpu_us_per_frame"]) == 5
    assert blocks["p50_ms"][0] == pytest.approx(2.0)
    assert blocks["per_s"][0] == pytest.approx(100.0)
    assert blocks["cpu_us_per_frame"][0] == pytest.approx(1000.0)
