"""With these settings, tests run faster."""

from __future__ import annotations

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run jobs inline unless a test asks for the thread pool explicitly.
JOBS_BACKEND = "inline"
REALTIME_SWEEP_SECONDS = 0.05
REALTIME_SESSION_CHECK_SECONDS = 0.2
