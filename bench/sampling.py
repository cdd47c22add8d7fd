"""A background thread that samples something at a fixed interval while a scenario runs.

The block figures of bench.noise need the server's CPU, RSS or latency
histogram at several instants inside one measurement, not only at its two
ends. The thread lives in the orchestrator: reading /proc costs the server
nothing; a /metrics scrape costs it one HTTP request per sample.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any


class Sampler:
    """`(time.time(), *probe())` every `every` seconds, once at start and once at stop."""

    def __init__(self, probe: Callable[[], tuple[Any, ...]], every: float) -> None:
        self.probe = probe
        self.every = every
        self.samples: list[tuple[Any, ...]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-sampler", daemon=True)

    def _take(self) -> None:
        # The server went away or answered garbage: the scenario itself reports that.
        with contextlib.suppress(OSError, ValueError):
            self.samples.append((time.time(), *self.probe()))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._take()

    def start(self) -> Sampler:
        self._take()
        self._thread.start()
        return self

    def stop(self) -> list[tuple[Any, ...]]:
        self._stop.set()
        self._thread.join(timeout=5)
        self._take()
        return self.samples

    def __enter__(self) -> Sampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
