"""With these settings, tests run faster, and the same on every machine.

Unit tests are pinned to the embedded engines (SQLite, the in-memory channel
layer, the local-memory cache, Celery's in-memory broker), whatever
`DATABASE_URL`, `REDIS_URL` or `CHANNEL_GROUP_EXPIRY` say in the environment:
a developer's shell with distributed mode set up must not turn `pytest` into
a run against a real database. Tests that want PostgreSQL, Redis or Celery
start processes of their own and give them their own environment
(`e2e/server.py`, `e2e/cluster.py`).
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import SQLITE_PATH

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SQLITE_PATH,  # pytest-django tests on an in-memory database of its own
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
REDIS_URL = ""
CHANNEL_LAYERS = {"default": {"BACKEND": "common.channel_layers.BoundedCleanupInMemoryChannelLayer", "CONFIG": {}}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
# Tests run jobs inline unless a test asks for the thread pool explicitly.
JOBS_BACKEND = "inline"
REALTIME_SWEEP_SECONDS = 0.05
REALTIME_SESSION_CHECK_SECONDS = 0.2
