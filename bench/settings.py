"""The project's own settings, with one change for benchmarking next to tests.

Redis pub/sub channels ignore the database number, so a benchmark on DB 12
and a test run on DB 9 would still hear each other's `submission.<pk>`
doorbells. A channel-layer prefix of its own keeps them apart; nothing else
differs from `config.settings.local`.
"""

from __future__ import annotations

from config.settings.local import *  # noqa: F403
from config.settings.local import CHANNEL_LAYERS, REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "bench"
