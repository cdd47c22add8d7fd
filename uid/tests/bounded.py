"""Running a parse in a child process that is killed past a time limit, so a hang fails its test instead of the run."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from uid.upload_checks import ImportFailed


def _run(queue, parse, data):
    try:
        parse(data)
        queue.put("imported")
    except ImportFailed as failed:
        queue.put(failed.message)


def outcome_within(parse: Callable[[bytes], object], data: bytes, seconds: float) -> str:
    """`parse(data)`'s refusal message, "imported", or "still running" if it took longer (the child is killed)."""
    context = multiprocessing.get_context("fork")  # fork: `parse` may be a lambda, nothing is pickled
    queue = context.Queue()
    process = context.Process(target=_run, args=(queue, parse, data), daemon=True)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        return "still running"
    return queue.get(timeout=5)
