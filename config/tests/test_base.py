"""Which engines the settings choose (config/settings/base.py, local.py, test.py): none needs a service by default."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def settings_seen_by_a_fresh_process(module: str = "config.settings.local", **environ: str) -> str:
    """Settings as `manage.py` would load them, with only `environ` set."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "JOBS_BACKEND"}}
    env |= {"DJANGO_SETTINGS_MODULE": module, **environ}
    code = (
        "from django.conf import settings as s; "
        "print(s.JOBS_BACKEND, s.CHANNEL_LAYERS['default']['BACKEND'], s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], s.CELERY_BROKER_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_embedded_default_needs_no_service():
    assert settings_seen_by_a_fresh_process() == (
        "thread common.channel_layers.BoundedCleanupInMemoryChannelLayer django.db.backends.sqlite3"
        " LocMemCache memory://"
    )


def test_redis_and_postgres_urls_switch_to_the_distributed_engines():
    seen = settings_seen_by_a_fresh_process(
        REDIS_URL="redis://127.0.0.1:6379/0", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x"
    )
    assert seen == (
        "celery common.channel_layers.BatchPublishingRedisPubSubChannelLayer django.db.backends.postgresql"
        " SharedPoolRedisCache redis://127.0.0.1:6379/0"
    )


def test_unit_test_settings_ignore_service_urls_in_the_environment():
    """A shell set up for distributed mode must not point the unit tests at a real database or Redis."""
    seen = settings_seen_by_a_fresh_process(
        "config.settings.test",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
        JOBS_BACKEND="thread",
    )
    assert seen == (
        "inline common.channel_layers.BoundedCleanupInMemoryChannelLayer django.db.backends.sqlite3"
        " LocMemCache memory://"
    )
