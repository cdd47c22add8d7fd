"""Garbage-collector settings for a server process that holds many sockets.

A full (generation 2) collection stops the whole process while it walks
every live container object, and each open socket keeps a few hundred of
them (uvicorn's protocol, websockets' state, the scope, the consumer, its
outbox). The benchmark's GC log showed each full collection pausing every
socket of the process for 120-270 ms with 1,000 sockets, and for seconds
with 10,000; those pauses were the whole latency tail (bench/analysis.md §2).

Two changes cut them: `gc.freeze()` after start-up moves Django, the URLconf
and every imported module out of the collector's sight for good, and a larger
first threshold makes collections, and so the full ones they trigger, rarer.
Cyclic garbage still gets collected, only in larger batches.
"""

from __future__ import annotations

import gc

# (generation 0 allocations, gen-0 runs per gen-1 run, gen-1 runs per gen-2 run); CPython's default is (700, 10, 10).
SERVER_THRESHOLDS = (50_000, 20, 20)


def tune_for_many_sockets() -> None:
    """Freeze what start-up allocated and raise the thresholds; call once the server has started."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVER_THRESHOLDS)
