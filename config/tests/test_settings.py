"""The settings read their environment variables with the documented defaults and casts, and refuse bad values.

Each test loads a settings module in a fresh Python process whose
environment holds only `PATH`, `DJANGO_SETTINGS_MODULE` and the variables
the test sets, so what it sees is what a server started that way would see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent

READ_FROM_THE_ENVIRONMENT = [
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "FORWARDED_ALLOW_IPS",
    "REDIS_URL",
    "JOBS_BACKEND",
    "REALTIME_SWEEP_SECONDS",
    "REALTIME_SESSION_CHECK_SECONDS",
    "JOB_STALE_SECONDS",
    "MEDIA_ROOT",
    "UPLOAD_MAX_BYTES",
    "XLSX_MAX_ROWS",
    "XLSX_MAX_COLUMNS",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "VALIDATION_RULESET_PATH",
    "VALIDATION_OLS_URL",
    "VALIDATION_OLS_TIMEOUT_SECONDS",
    "BIOSAMPLES_URL",
    "WEBIN_AUTH_URL",
    "BIOSAMPLES_CREDENTIALS",
    "WEBIN_USERNAME",
    "WEBIN_PASSWORD",
    "WEBIN_USER_TOKEN_HOURS",
    "BIOSAMPLES_TIMEOUT_SECONDS",
    "BIOSAMPLES_ATTEMPTS",
    "BIOSAMPLES_BACKOFF_SECONDS",
    "BIOSAMPLES_MAX_WAIT_SECONDS",
    "METRICS_TOKEN",
    "METRICS_ALLOWED_NETWORKS",
    "WORKER_METRICS_PORT",
    "WORKER_METRICS_HOST",
    "DRAIN_NOTICE_SECONDS",
    "DRAIN_SPREAD_SECONDS",
    "DRAIN_TIMEOUT_SECONDS",
    "WS_PING_INTERVAL",
    "WS_PING_TIMEOUT",
    "HTTP_HEADER_TIMEOUT",
]

SCRIPT = """
import json, sys
from django.conf import settings as s
seen = {name: getattr(s, name) for name in sys.argv[1:]}
seen["MEDIA_ROOT"] = str(s.MEDIA_ROOT)
seen["DATABASE"] = {k: s.DATABASES["default"].get(k) for k in ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD")}
seen["CONN"] = [s.DATABASES["default"]["CONN_MAX_AGE"], s.DATABASES["default"]["CONN_HEALTH_CHECKS"]]
seen["GROUP_EXPIRY"] = s.CHANNEL_LAYERS["default"]["CONFIG"].get("group_expiry")
seen["LOG_LEVEL"] = s.LOGGING["root"]["level"]
for name in ("SECURE_HSTS_SECONDS", "CSRF_TRUSTED_ORIGINS"):
    seen[name] = getattr(s, name, None)
print(json.dumps(seen))
"""


def load(module: str = "config.settings.local", **environ: str) -> subprocess.CompletedProcess[str]:
    """Load `module` in a fresh process whose environment is `environ` alone (plus PATH)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": module, **environ}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *READ_FROM_THE_ENVIRONMENT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def settings_seen(module: str = "config.settings.local", **environ: str) -> dict[str, Any]:
    result = load(module, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(module: str = "config.settings.local", **environ: str) -> str:
    """The last line of what a process loading `module` with `environ` says as it stops."""
    result = load(module, **environ)
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


PRODUCTION = {"DJANGO_SECRET_KEY": "s" * 60, "DJANGO_ALLOWED_HOSTS": "submissions.example.org"}


def test_an_empty_environment_gives_the_documented_defaults():
    seen = settings_seen()

    assert seen["DATABASE"] == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "db.sqlite3"),
        "HOST": "",
        "PORT": "",
        "USER": "",
        "PASSWORD": "",
    }
    assert seen["CONN"] == [60, True]
    assert seen["GROUP_EXPIRY"] is None
    assert seen["LOG_LEVEL"] == "INFO"
    assert {name: seen[name] for name in READ_FROM_THE_ENVIRONMENT} == {
        "SECRET_KEY": "insecure-embedded-default-key-change-me",
        "DEBUG": False,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
        "FORWARDED_ALLOW_IPS": "",
        "REDIS_URL": "",
        "JOBS_BACKEND": "thread",
        "REALTIME_SWEEP_SECONDS": 0.25,
        "REALTIME_SESSION_CHECK_SECONDS": 2.0,
        "JOB_STALE_SECONDS": 120.0,
        "MEDIA_ROOT": str(BASE_DIR / "media"),
        "UPLOAD_MAX_BYTES": 50 * 1024 * 1024,
        "XLSX_MAX_ROWS": 200000,
        "XLSX_MAX_COLUMNS": 64,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "EMAIL_HOST": "localhost",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "DEFAULT_FROM_EMAIL": "Submission Live <noreply@localhost>",
        "SITE_URL": "http://127.0.0.1:8000",
        "VALIDATION_RULESET_PATH": "",
        "VALIDATION_OLS_URL": "",
        "VALIDATION_OLS_TIMEOUT_SECONDS": 5.0,
        "BIOSAMPLES_URL": "",
        "WEBIN_AUTH_URL": "https://www.ebi.ac.uk/ena/submit/webin/auth",
        "BIOSAMPLES_CREDENTIALS": "site",
        "WEBIN_USERNAME": "",
        "WEBIN_PASSWORD": "",
        "WEBIN_USER_TOKEN_HOURS": 3,
        "BIOSAMPLES_TIMEOUT_SECONDS": 30.0,
        "BIOSAMPLES_ATTEMPTS": 4,
        "BIOSAMPLES_BACKOFF_SECONDS": 2.0,
        "BIOSAMPLES_MAX_WAIT_SECONDS": 120.0,
        "METRICS_TOKEN": "",
        "METRICS_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"],
        "WORKER_METRICS_PORT": 0,
        "WORKER_METRICS_HOST": "127.0.0.1",
        "DRAIN_NOTICE_SECONDS": 1.0,
        "DRAIN_SPREAD_SECONDS": 3.0,
        "DRAIN_TIMEOUT_SECONDS": 10.0,
        "WS_PING_INTERVAL": 20.0,
        "WS_PING_TIMEOUT": 20.0,
        "HTTP_HEADER_TIMEOUT": 10.0,
    }


def test_values_are_cast_to_their_settings_types():
    seen = settings_seen(
        DJANGO_DEBUG="true",
        EMAIL_USE_TLS="1",
        EMAIL_PORT="587",
        UPLOAD_MAX_BYTES="1024",
        JOB_STALE_SECONDS="1e3",
        WS_PING_INTERVAL="7.5",
        METRICS_ALLOWED_NETWORKS=" 10.0.0.0/8, ,192.168.0.0/16,",
        WORKER_METRICS_PORT="9808",
        DJANGO_ALLOWED_HOSTS="alias.example, proxy.example",
        HOST="lab.example",
        CHANNEL_GROUP_EXPIRY="2",
        DB_CONN_MAX_AGE="0",
        DATABASE_URL="postgres://lab:p%40ss@db.example:5433/live",
        REDIS_URL="redis://127.0.0.1:6379/0",
        LOG_LEVEL="WARNING",
        # Taken literally: django-environ alone would read "$HOME" as the value of HOME.
        DJANGO_SECRET_KEY="$HOME-is-not-read",
        BIOSAMPLES_CREDENTIALS="user",
    )

    assert (seen["DEBUG"], seen["EMAIL_USE_TLS"]) == (True, True)
    assert (seen["EMAIL_PORT"], seen["UPLOAD_MAX_BYTES"]) == (587, 1024)
    assert (seen["JOB_STALE_SECONDS"], seen["WS_PING_INTERVAL"]) == (1000.0, 7.5)
    assert seen["METRICS_ALLOWED_NETWORKS"] == ["10.0.0.0/8", "192.168.0.0/16"]
    assert seen["WORKER_METRICS_PORT"] == 9808
    assert seen["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "lab.example", "alias.example", "proxy.example"]
    assert seen["GROUP_EXPIRY"] == 2
    assert seen["CONN"] == [0, True]
    assert seen["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "live",
        "HOST": "db.example",
        "PORT": 5433,
        "USER": "lab",
        "PASSWORD": "p@ss",
    }
    # With Redis the sweep only repairs lost doorbells, so its default is slower.
    assert (seen["REDIS_URL"], seen["REALTIME_SWEEP_SECONDS"]) == ("redis://127.0.0.1:6379/0", 1.0)
    assert seen["LOG_LEVEL"] == "WARNING"
    assert seen["SECRET_KEY"] == "$HOME-is-not-read"
    assert seen["BIOSAMPLES_CREDENTIALS"] == "user"


@pytest.mark.parametrize(
    ("word", "meaning"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("", False),
    ],
)
def test_a_flag_takes_the_usual_words_for_true_and_false(word, meaning):
    assert settings_seen(EMAIL_USE_TLS=word)["EMAIL_USE_TLS"] is meaning


def test_production_reads_its_own_defaults_and_lists():
    seen = settings_seen(
        "config.settings.production",
        **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": "a.example.org, b.example.org"},
        DB_CONN_MAX_AGE="5",
    )

    assert seen["ALLOWED_HOSTS"] == ["a.example.org", "b.example.org"]
    assert seen["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.org", "https://b.example.org"]
    assert seen["DEBUG"] is False
    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert seen["METRICS_ALLOWED_NETWORKS"] == []
    assert seen["SECURE_HSTS_SECONDS"] == 60 * 60 * 24 * 365
    assert seen["CONN"] == [5, True]
    assert settings_seen("config.settings.production", **PRODUCTION, DJANGO_DEBUG="1")["DEBUG"] is False


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"UPLOAD_MAX_BYTES": "50MB"},
            "ImproperlyConfigured: UPLOAD_MAX_BYTES='50MB' is not valid:"
            " invalid literal for int() with base 10: '50MB'",
        ),
        (
            {"JOB_STALE_SECONDS": "2 minutes"},
            "ImproperlyConfigured: JOB_STALE_SECONDS='2 minutes' is not valid:"
            " could not convert string to float: '2 minutes'",
        ),
        (
            {"DJANGO_DEBUG": "maybe"},
            "ImproperlyConfigured: DJANGO_DEBUG='maybe' is not valid:"
            " expected a boolean: 1, true, yes, on or 0, false, no, off",
        ),
        (
            {"BIOSAMPLES_CREDENTIALS": "everyone"},
            "ImproperlyConfigured: BIOSAMPLES_CREDENTIALS='everyone' is not valid: expected one of site, user",
        ),
        (
            {"DATABASE_URL": "postgress://lab:secret@db.example/live"},
            "ImproperlyConfigured: DATABASE_URL is not a database URL this site knows"
            " (postgres://... or sqlite:///...).",
        ),
        (
            {"DATABASE_URL": ""},
            "ImproperlyConfigured: DATABASE_URL is empty: unset it for the default database, or give a database URL.",
        ),
    ],
)
def test_a_bad_value_stops_the_settings_naming_the_variable(environ, message):
    assert refusal(**environ) == f"django.core.exceptions.{message}"


def test_a_bad_value_in_production_settings_names_the_variable_too():
    assert refusal("config.settings.production", **PRODUCTION, SECURE_HSTS_SECONDS="a year") == (
        "django.core.exceptions.ImproperlyConfigured: SECURE_HSTS_SECONDS='a year' is not valid:"
        " invalid literal for int() with base 10: 'a year'"
    )
