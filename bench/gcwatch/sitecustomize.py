"""Log every full (generation 2) garbage collection of a server process, with its pause.

Servers under test run with this directory on PYTHONPATH, so Python imports
it at start-up. A full collection stops every socket of the process while
it walks all live objects, which grows with the sockets held; the line it
writes to the server log ("GC2 <unix time> <ms>") lets the benchmark put a
number on those pauses. Young collections are timed but not logged.
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

_started = [0.0]


def _watch(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    elif info.get("generation") == 2:
        pause_ms = (time.perf_counter() - _started[0]) * 1000
        sys.stderr.write(f"GC2 {time.time():.3f} {pause_ms:.1f}\n")


gc.callbacks.append(_watch)
