"""Settings shared by every environment.

The embedded default needs nothing but this file: SQLite, an in-process
channel layer and jobs on a thread pool inside the server. Setting
``DATABASE_URL`` and ``REDIS_URL`` switches to the distributed engines
(PostgreSQL, channels_redis, Celery) without touching any code.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from pathlib import Path

from common.hosts import allowed_hosts

from .environment import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-change-me")
# Off unless asked for (`make dev` sets DJANGO_DEBUG=1): the embedded default is
# what a lab runs for real, and the debug page shows settings, paths and URLs.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The names that reach the address the server binds (HOST, which config.serve
# sets from --host), plus DJANGO_ALLOWED_HOSTS; never "*" (see common/hosts.py).
ALLOWED_HOSTS = allowed_hosts(
    bind=env.str("HOST", default="127.0.0.1"), extra=env.str("DJANGO_ALLOWED_HOSTS", default="")
)
# Addresses of the reverse proxies whose X-Forwarded-For/-Proto uvicorn believes
# (comma-separated, as uvicorn's forwarded_allow_ips). Empty: nobody's, so the
# client address is the socket's peer and cannot be rotated by a header.
FORWARDED_ALLOW_IPS = env.str("FORWARDED_ALLOW_IPS", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "common",
    "uid",
    "submissions",
    "submissions_ws",
    "validation",
    "archive",
    "jobs",
    "notifications",
    "apitokens",
    "operations",
    "ninja",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, answered before the Host check and the HTTPS redirect.
    "operations.middleware.OperationsEndpointsMiddleware",
    "common.hosts.RejectUnknownHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "submissions_ws.session_rotation.SessionRotationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.live_client",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
SQLITE_PATH = BASE_DIR / "db.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
# Sockets reach the database through Channels' executor thread many times a
# second; a new PostgreSQL connection per call would cost more than the
# queries themselves. The health check replaces a connection the server dropped.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while a job writes; IMMEDIATE transactions take the
    # write lock up front so two writers queue on the busy timeout instead of
    # failing with "database is locked" when one upgrades a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Channels and jobs: embedded default, or Redis + Celery when REDIS_URL is set
# ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The PubSub layer: each ASGI process holds one subscription per
            # submission it serves (see submissions_ws.hub), so a connect storm
            # never opens a Redis connection per socket. Its subclass publishes a
            # sender's backlog in one pipeline (see common/channel_layers.py).
            "BACKEND": "common.channel_layers.BatchPublishingRedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    JOBS_BACKEND = "celery"
else:
    # Channels' in-memory layer with its expiry walk bounded (see common/channel_layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "common.channel_layers.BoundedCleanupInMemoryChannelLayer", "CONFIG": {}}}
    JOBS_BACKEND = env.str("JOBS_BACKEND", default="thread", choices=("thread", "inline", "celery"))
if env.str("CHANNEL_GROUP_EXPIRY", default=""):
    # Only for tests of long-lived sockets: the hub re-joins at half this.
    CHANNEL_LAYERS["default"]["CONFIG"]["group_expiry"] = env.int("CHANNEL_GROUP_EXPIRY")

# Django's database sessions, read in plain SQL on the socket connect path (common/session_store.py).
SESSION_ENGINE = "common.session_store"

CACHES = (
    {"default": {"BACKEND": "common.redis_cache.SharedPoolRedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
# Imported by a Celery worker as it starts (only there): its own /metrics on
# WORKER_METRICS_PORT, hooked to the worker's signals.
CELERY_IMPORTS = ["config.worker_metrics"]

# How often each server process compares the event log with what it has
# relayed. In the embedded default this is what carries events written by
# other processes (``manage.py shell``); with Redis it repairs lost doorbells.
REALTIME_SWEEP_SECONDS = env.float("REALTIME_SWEEP_SECONDS", default=1.0 if REDIS_URL else 0.25)
# How often each server process checks that its sockets' sign-ins still hold
# (logout, password change, expiry close them).
REALTIME_SESSION_CHECK_SECONDS = env.float("REALTIME_SESSION_CHECK_SECONDS", default=2.0)
# A job whose heartbeat is older than this is declared dead by the watchdog.
JOB_STALE_SECONDS = env.float("JOB_STALE_SECONDS", default=120.0)

# ------------------------------------------------------------------------------
# Auth
# ------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "submissions:list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# django-axes refuses a sign-in after AXES_FAILURE_LIMIT failures of the same
# account from the same address within AXES_COOLOFF_TIME. Only that pair is
# locked, so an attacker cannot lock the owner out from another address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# The address uvicorn resolved (it applies FORWARDED_ALLOW_IPS), never a header of the client's.
AXES_CLIENT_IP_CALLABLE = "common.login.client_address"
AXES_LOCKOUT_CALLABLE = "common.login.lockout_response"
AXES_VERBOSE = False

# ------------------------------------------------------------------------------
# Uploads
# ------------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A workbook sheet may hold this many records below its header, in this many columns (uid/formats/xlsx_sheets.py);
# a value past either refuses the file at once.
XLSX_MAX_ROWS = env.int("XLSX_MAX_ROWS", default=200000)
XLSX_MAX_COLUMNS = env.int("XLSX_MAX_COLUMNS", default=64)

# ------------------------------------------------------------------------------
# Internationalisation and static files
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files straight from the finders so `make run` needs no collectstatic;
# STATIC_ROOT then only exists after `collectstatic` in production.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"repeats": {"()": "common.logging.RepeatFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["repeats"]}},
    "root": {
        "handlers": ["console"],
        "level": env.str("LOG_LEVEL", default="INFO", choices=logging.getLevelNamesMapping()),
    },
}

# EMAIL
# ------------------------------------------------------------------------------
# Console by default, so the embedded site needs no mail server; set
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc. for SMTP.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Submission Live <noreply@localhost>")
# Where links in emails point.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# VALIDATION
# ------------------------------------------------------------------------------
# Empty keeps the IMAGE ruleset shipped in validation/data/; a path to a newer
# IMAGE ruleset file changes the rules without a code change.
VALIDATION_RULESET_PATH = env.str("VALIDATION_RULESET_PATH", default="")
# Empty (the default) judges ontology terms offline only; an OLS root such as
# https://www.ebi.ac.uk/ols4 looks up labels missing from the bundled tables.
VALIDATION_OLS_URL = env.str("VALIDATION_OLS_URL", default="")
VALIDATION_OLS_TIMEOUT_SECONDS = env.float("VALIDATION_OLS_TIMEOUT_SECONDS", default=5.0)

# ARCHIVE (BioSamples)
# ------------------------------------------------------------------------------
# Empty BIOSAMPLES_URL keeps the embedded archive (archive.embedded), which needs
# no network. Set it to BioSamples' API root to submit there, e.g.
# https://wwwdev.ebi.ac.uk/biosamples (development) or https://www.ebi.ac.uk/biosamples.
BIOSAMPLES_URL = env.str("BIOSAMPLES_URL", default="")
# ENA's Webin authentication service, which issues the JWTs BioSamples accepts;
# https://wwwdev.ebi.ac.uk/ena/submit/webin/auth goes with the development BioSamples.
WEBIN_AUTH_URL = env.str("WEBIN_AUTH_URL", default="https://www.ebi.ac.uk/ena/submit/webin/auth")
# "site": every submission goes with the site's Webin account below; "user": each
# submitter types their own Webin password on Submit (exchanged for a token, never stored).
BIOSAMPLES_CREDENTIALS = env.str("BIOSAMPLES_CREDENTIALS", default="site", choices=("site", "user"))
WEBIN_USERNAME = env.str("WEBIN_USERNAME", default="")
WEBIN_PASSWORD = env.str("WEBIN_PASSWORD", default="")
# How long a submitter's token is asked to last (Webin's `ttl`): long enough for a
# paused submission to be resumed the same day without typing the password again.
WEBIN_USER_TOKEN_HOURS = env.int("WEBIN_USER_TOKEN_HOURS", default=3)
# Per request (connect, read, write): a stuck archive must not hold a job for long.
BIOSAMPLES_TIMEOUT_SECONDS = env.float("BIOSAMPLES_TIMEOUT_SECONDS", default=30.0)
# Tries per request on 5xx, timeouts and refused connections, with exponential
# backoff (full jitter) from BIOSAMPLES_BACKOFF_SECONDS; then the submission pauses in Ready.
BIOSAMPLES_ATTEMPTS = env.int("BIOSAMPLES_ATTEMPTS", default=4)
BIOSAMPLES_BACKOFF_SECONDS = env.float("BIOSAMPLES_BACKOFF_SECONDS", default=2.0)
# A 429 is waited out for its Retry-After up to this long; a longer wait pauses the submission.
BIOSAMPLES_MAX_WAIT_SECONDS = env.float("BIOSAMPLES_MAX_WAIT_SECONDS", default=120.0)
# Celery beat runs the servers' watchdog too, in distributed mode: a dead
# worker's job must not hang in Waiting while no server process runs.
# A round not started within one interval is dropped: the next one is already due.
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {
        "task": "jobs.fail_stale",
        "schedule": max(1.0, JOB_STALE_SECONDS / 4),
        "options": {"expires": max(1.0, JOB_STALE_SECONDS / 4)},
    },
}
# httpx logs every request at INFO; one line per sample would drown the log.
LOGGING.setdefault("loggers", {})["httpx"] = {"level": "WARNING"}
# django-axes logs two INFO lines per failed sign-in; its warnings (failures, lockouts) stay.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# OPERATIONS (health, metrics, drain)
# ------------------------------------------------------------------------------
# /metrics answers requests from these networks without a token, and any
# request with `Authorization: Bearer $METRICS_TOKEN`. Behind a proxy every
# request comes from the proxy's address: the nginx config denies /metrics
# from outside, and production needs the token (see config.settings.production).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
# A Celery worker whose metrics no web process reads (its own container) serves
# them itself on this port, behind the same rule (config/worker_metrics.py); 0: off.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_HOST = env.str("WORKER_METRICS_HOST", default="127.0.0.1")
# On SIGTERM a server answers /readyz with 503 for DRAIN_NOTICE_SECONDS (the load
# balancer stops sending it new work), then closes its sockets with 1012 at
# random moments over DRAIN_SPREAD_SECONDS (pages do not all reconnect at once),
# and exits at the latest DRAIN_TIMEOUT_SECONDS after the signal.
DRAIN_NOTICE_SECONDS = env.float("DRAIN_NOTICE_SECONDS", default=1.0)
DRAIN_SPREAD_SECONDS = env.float("DRAIN_SPREAD_SECONDS", default=3.0)
DRAIN_TIMEOUT_SECONDS = env.float("DRAIN_TIMEOUT_SECONDS", default=10.0)
# uvicorn's keepalive pings (config/serve.py): a client that answers nothing for
# their sum is dropped, and its page reconnects and resumes from the event log.
WS_PING_INTERVAL = env.float("WS_PING_INTERVAL", default=20.0)
WS_PING_TIMEOUT = env.float("WS_PING_TIMEOUT", default=20.0)
# A connection whose request headers are not complete this long after its
# first byte is closed (config/protocols.py).
HTTP_HEADER_TIMEOUT = env.float("HTTP_HEADER_TIMEOUT", default=10.0)
