"""What the server's GC tuning does: start-up objects frozen, collections rarer, later garbage still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from config.gc_tuning import SERVER_THRESHOLDS, tune_for_many_sockets


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    gc.collect()


class Node:
    """A container that only the cycle collector can free once it refers to itself."""

    def __init__(self) -> None:
        self.self = self


def test_startup_objects_leave_the_collectors_sight_and_collections_get_rarer(restored_gc: None):
    tune_for_many_sockets()
    # Django, the URLconf and the modules loaded so far are frozen: full collections no longer walk them.
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == SERVER_THRESHOLDS


def test_objects_alive_at_startup_are_never_walked_again_but_later_cycles_are_collected(restored_gc: None):
    at_startup = Node()
    tune_for_many_sockets()
    after_startup = Node()

    tracked = gc.get_objects()
    assert not any(obj is at_startup for obj in tracked), "a start-up object is still walked by every collection"
    assert any(obj is after_startup for obj in tracked)
    del tracked
    startup_ref, later_ref = weakref.ref(at_startup), weakref.ref(after_startup)
    del at_startup, after_startup
    gc.collect()

    assert startup_ref() is not None, "frozen objects are outside the collector's sight"
    assert later_ref() is None, "garbage made after start-up must still be collected"


def test_thousands_of_allocations_trigger_no_collection(restored_gc: None):
    """With CPython's default (700) these 20,000 containers would cost about 28 young collections."""
    tune_for_many_sockets()
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        kept = [[] for _ in range(20_000)]
    finally:
        gc.callbacks.remove(count)

    assert len(kept) == 20_000
    assert collections == []
