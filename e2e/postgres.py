"""A scratch PostgreSQL database for distributed-mode tests that run Django code against it in a child process.

Each test gets a database of its own, migrated and dropped afterwards, so tests never see each other's rows.
The Django code runs in a child process because this process's Django is set up on the test settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from e2e.server import ROOT
from e2e.services import POSTGRES, require


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database named `prefix_<random>`, dropped on exit.

    Skips without PostgreSQL, or fails under CI=true (`e2e.services.require`).
    """
    require("PostgreSQL", POSTGRES)
    base = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_script(database: str, script: str, *, timeout: float = 300) -> Any:
    """Migrate `database`, run `script` (Python that calls django.setup()) on it, and return its last line's JSON."""
    env = {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings.local", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
