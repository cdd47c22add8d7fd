"""Settings of the baseline app: sessions and auth on PostgreSQL, channels_redis.

`BENCH_BASELINE_LAYER=core` is Channels' default `RedisChannelLayer` with its
default config; `pubsub` is `RedisPubSubChannelLayer` (the anchors' second
column). Both use Redis DB 12, and the pub/sub prefix keeps its doorbells
away from other users of the same Redis.
"""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = "bench-baseline-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "channels",
]
ROOT_URLCONF = "bench.baseline.urls"
ASGI_APPLICATION = "bench.baseline.asgi.application"
DATABASES = {"default": dj_database_url.config(env="BENCH_BASELINE_DATABASE_URL", conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
if os.environ.get("BENCH_BASELINE_LAYER", "core") == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_REDIS], "prefix": "benchbase"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_REDIS]}}}
