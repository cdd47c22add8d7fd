"""The background sampler (bench.sampling)."""

from __future__ import annotations

import itertools
import time

from bench.sampling import Sampler


def test_samples_at_start_meanwhile_and_at_stop():
    counter = itertools.count()
    with Sampler(lambda: (next(counter),), 0.01) as sampler:
        time.sleep(0.1)
    values = [v for _, v in sampler.samples]
    assert values[0] == 0
    assert len(values) >= 4
    assert values == sorted(values)
    times = [t for t, _ in sampler.samples]
    assert times == sorted(times)


def test_a_failing_probe_is_skipped_not_raised():
    calls = itertools.count()

    def probe():
        if next(calls) % 2:
            raise OSError("gone")
        return (1,)

    sampler = Sampler(probe, 0.01).start()
    time.sleep(0.05)
    samples = sampler.stop()
    assert samples
    assert all(v == 1 for _, v in samples)
