"""Distributed mode for tests: a fresh PostgreSQL database, Redis, several
ASGI processes and Celery workers, each a real process."""

from __future__ import annotations

import contextlib
import resource
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from e2e.server import PYTHON, ROOT, SiteProcess


def raise_file_limit(wanted: int = 16384) -> None:
    """Storm tests hold thousands of sockets; child processes inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


@dataclass
class Cluster:
    workdir: Path
    postgres: str
    site: SiteProcess
    database: str
    servers: list[SiteProcess] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def create(cls, workdir: Path, postgres: str, redis_url: str, *, servers: int = 2, **extra: str) -> Cluster:
        raise_file_limit()
        redis.Redis.from_url(redis_url).flushdb()
        database = f"sl_test_{uuid.uuid4().hex[:10]}"
        site = SiteProcess.create(
            workdir,
            {
                "DATABASE_URL": f"{postgres}/{database}",
                "REDIS_URL": redis_url,
                "REALTIME_SWEEP_SECONDS": "0.5",
                **extra,
            },
        )
        cluster = cls(workdir=workdir, postgres=postgres, site=site, database=database)
        cluster.servers = [
            SiteProcess(workdir=workdir, env=dict(site.env), log_name=f"server{index}.log") for index in range(servers)
        ]
        return cluster

    @property
    def env(self) -> dict[str, str]:
        return self.site.env

    def start(self, *, workers: int = 1) -> None:
        for server in self.servers:
            server.start()
        for _ in range(workers):
            self.start_worker()

    def start_worker(self, *, concurrency: int = 1, **extra: str) -> subprocess.Popen[bytes]:
        """A Celery worker (prefork); `extra` adds to its environment alone, as a container of its own would."""
        log = (self.workdir / f"worker{len(self.workers)}.log").open("ab")
        worker = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "config.celery_app", "worker", "--loglevel", "INFO",
             "--concurrency", str(concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a test can kill the whole worker
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        with psycopg.connect(f"{self.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def worker_log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.workdir.glob("worker*.log")))


@contextlib.contextmanager
def running(
    workdir: Path, postgres: str, redis_url: str, *, servers: int = 1, workers: int = 0, **extra: str
) -> Iterator[Cluster]:
    """A started cluster, stopped (and its database dropped) afterwards."""
    cluster = Cluster.create(workdir, postgres, redis_url, servers=servers, **extra)
    try:
        cluster.start(workers=workers)
        yield cluster
    finally:
        cluster.stop()
