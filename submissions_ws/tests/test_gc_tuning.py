from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from submissions_ws.gc_tuning import SERVER_THRESHOLDS, tune_for_many_sockets


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_startup_objects_leave_the_collectors_sight_and_collections_get_rarer(restored_gc: None):
    gc.unfreeze()
    tune_for_many_sockets()
    # Django, the URLconf and the modules loaded so far are frozen: full collections no longer walk them.
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == SERVER_THRESHOLDS


def test_cyclic_garbage_made_after_startup_is_still_collected(restored_gc: None):
    tune_for_many_sockets()

    class Node:
        pass

    node = Node()
    node.self = node  # a reference cycle that only the collector can free
    del node
    assert gc.collect() >= 1
