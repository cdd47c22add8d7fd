"""Reach the real PostgreSQL, Redis and Celery used by distributed-mode tests.

A test that needs a service runs when it is reachable, fails when CI=true and
it is missing (CI must never pass by skipping), and skips with the reason
otherwise.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES = ("127.0.0.1", int(os.environ.get("TEST_POSTGRES_PORT", "5432")))
REDIS = ("127.0.0.1", int(os.environ.get("TEST_REDIS_PORT", "6379")))
# A Redis database of its own, flushed before use, so leftovers from other
# runs (queued Celery tasks) cannot reach the test's workers.
TEST_REDIS_DB = 9


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def require(name: str, address: tuple[str, int]) -> None:
    if reachable(address):
        return
    reason = f"{name} is not reachable on {address[0]}:{address[1]} (run scripts/ensure_services.sh)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI requires real services: {reason}")
    pytest.skip(reason)


def require_postgres_and_redis() -> tuple[str, str]:
    """Returns (postgres base URL without database, redis URL)."""
    require("PostgreSQL", POSTGRES)
    require("Redis", REDIS)
    return f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}", f"redis://{REDIS[0]}:{REDIS[1]}/{TEST_REDIS_DB}"
