"""The systems under test: how to set each up, serve it and tear it down.

- a: the project, distributed (uvicorn + RedisPubSubChannelLayer + PostgreSQL);
- b: the project, embedded default (uvicorn + InMemoryChannelLayer + SQLite),
  served through `bench.inproc` so a sender can also run inside the server;
- c: the stock-Channels baseline on daphne + RedisChannelLayer;
- c2: the same baseline on uvicorn + RedisPubSubChannelLayer;
- d: the seed system's send path (a new socket per message) against c's server.

Every system gets a fresh database and a flushed Redis DB 12.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis

from bench.config import Sizes
from bench.procs import PYTHON, Server, free_port, run_checked, run_json

GCWATCH = Path(__file__).resolve().parent / "gcwatch"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/12"
UVICORN_FLAGS = ["--ws", "websockets-sansio", "--ws-max-size", "65536"]

TITLES = {
    "a": "(a) project, distributed: uvicorn + Redis pub/sub + PostgreSQL",
    "b": "(b) project, embedded: uvicorn + in-memory layer + SQLite",
    "c": "(c) stock Channels: daphne + RedisChannelLayer",
    "c2": "(c') stock Channels: uvicorn + RedisPubSubChannelLayer",
    "d": "(d) seed send path: new socket per message (on c's server)",
}


@dataclass
class System:
    key: str
    app: str  # "project" or "baseline"
    env: dict[str, str]
    asgi: str
    server_kind: str  # "uvicorn" or "daphne"
    database: str | None
    workdir: Path
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLES[self.key]

    def server(self, *, workers: int = 1, floor: bool = False) -> Server:
        """The system's server; `workers` as `config.serve --workers`; `floor`: the trivial app (bench.floor)."""
        port = free_port()
        if self.server_kind == "daphne":
            command = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), self.asgi]
        elif self.app == "project":
            # Exactly as the project serves itself (make run, Procfile, deploy); (b) swaps in bench.inproc.
            launcher = "config.serve" if self.asgi == "config.asgi:application" else "bench.serve_inproc"
            launcher = "bench.floor" if floor else launcher
            command = [PYTHON, "-m", launcher, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        else:
            # The stock app has no lifespan handler.
            lifespan = ["--lifespan", "off"]
            command = [PYTHON, "-m", "uvicorn", self.asgi, "--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS,
                       *lifespan]  # fmt: skip
        ready = "/accounts/login/" if self.app == "project" and not floor else "/"
        # bench/gcwatch/sitecustomize.py logs the server's full garbage collections.
        env = {**self.env, "PYTHONPATH": os.pathsep.join(filter(None, [str(GCWATCH), self.env.get("PYTHONPATH")]))}
        log = self.workdir / ("floor.log" if floor else "server.log")
        return Server(command=command, env=env, log_path=log, port=port, ready_path=ready)

    def prepare(self, sizes: Sizes) -> None:
        """Fresh database, migrations, users, submissions and sessions."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        redis.Redis.from_url(REDIS_URL).flushdb()
        if self.database:
            _recreate_database(self.database)
        run_checked([PYTHON, "-m", "django", "migrate", "--noinput"], self.env)
        out = self.workdir / "fixtures.json"
        run_json(
            [PYTHON, "-m", "bench.fixtures", str(out), "--users", str(sizes.users),
             "--sessions-per-user", str(sizes.sessions_per_user), "--staff", str(sizes.staff)],
            self.env, timeout=300,
        )  # fmt: skip
        self.data = json.loads(out.read_text())

    def teardown(self) -> None:
        if self.database:
            _drop_database(self.database)


def build(key: str, root: Path) -> System:
    workdir = root / key
    base = {"PYTHONUNBUFFERED": "1", "DJANGO_DEBUG": "0", "MEDIA_ROOT": str(workdir / "media")}
    if key == "a":
        env = {**base, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": f"{POSTGRES}/bench_sl",
               "REDIS_URL": REDIS_URL}  # fmt: skip
        return System(key, "project", clean_env(env), "config.asgi:application", "uvicorn", "bench_sl", workdir)
    if key == "b":
        env = {**base, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3"}
        return System(key, "project", clean_env(env), "bench.inproc:application", "uvicorn", None, workdir)
    layer = "pubsub" if key == "c2" else "core"
    env = {**base, "DJANGO_SETTINGS_MODULE": "bench.baseline.settings", "BENCH_BASELINE_LAYER": layer,
           "BENCH_BASELINE_DATABASE_URL": f"{POSTGRES}/bench_baseline", "BENCH_REDIS_URL": REDIS_URL}  # fmt: skip
    kind = "uvicorn" if key == "c2" else "daphne"
    return System(key, "baseline", clean_env(env), "bench.baseline.asgi:application", kind, "bench_baseline", workdir)


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """The parent's environment minus anything that would switch a system's mode, plus `env`."""
    keep = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return {**keep, **env}


def _recreate_database(name: str) -> None:
    _drop_database(name)
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
