"""Dump a tracemalloc snapshot of this process on SIGUSR1 (bench/idle_trace.py).

Servers of the diagnostic run start with this directory on PYTHONPATH and
PYTHONTRACEMALLOC set; each SIGUSR1 collects garbage, then writes
`$TRACEWATCH_OUT.<n>` (renamed into place, so a reader never sees half a file).
"""

from __future__ import annotations

import gc
import itertools
import os
import signal
import tracemalloc
from typing import Any

_count = itertools.count(1)


def _dump(signum: int, frame: Any) -> None:
    gc.collect()
    path = f"{os.environ['TRACEWATCH_OUT']}.{next(_count)}"
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.rename(path + ".tmp", path)


if os.environ.get("TRACEWATCH_OUT") and tracemalloc.is_tracing():
    signal.signal(signal.SIGUSR1, _dump)
