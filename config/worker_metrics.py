"""The Celery worker's own `/metrics`, for a worker whose processes no web server can read.

In `deploy/docker-compose.yml` the worker runs in a container of its own: its
prefork children write their job durations and jobs running to that
container's `PROMETHEUS_MULTIPROC_DIR`, which no web process sees (and a
volume shared between containers would not help: pids repeat across them,
and a scrape drops the files of pids it cannot see alive). So with
`WORKER_METRICS_PORT` set, the worker's main process serves the sums of
every process of its directory itself, on a thread, from `worker_ready` to
`worker_shutdown`.

The answer is built as the web's is (`operations.metrics_view`): the same
access rule (the `METRICS_TOKEN` bearer token or a peer in
`METRICS_ALLOWED_NETWORKS`, else a 404) and the same per-scrape registry,
exposed by prometheus_client's own WSGI app. `jobs_queued` stays the web's:
it is read from the database and would be counted twice.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery import signals

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_NOT_FOUND = b"Not found\n"


def metrics_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """WSGI: the worker's metrics for an allowed scraper, a 404 (as on the web) for anyone else."""
    # Imported here: the worker imports this module (CELERY_IMPORTS) before Django's apps are ready.
    from prometheus_client import make_wsgi_app

    from operations.metrics_view import client_allowed, process_registry

    if not client_allowed(authorization=environ.get("HTTP_AUTHORIZATION"), address=environ.get("REMOTE_ADDR", "")):
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(_NOT_FOUND)))])
        return [_NOT_FOUND]
    return make_wsgi_app(process_registry())(environ, start_response)


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per scrape, none of them keeping the worker alive at exit."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    """Scrapes go to the debug log, not to the worker's stderr line by line."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class MetricsServer:
    """The endpoint's socket and serving thread, started and stopped once."""

    def __init__(self, *, host: str, port: int) -> None:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        server_class = type("_FamilyServer", (_Server,), {"address_family": family})
        self.httpd = make_server(host, port, metrics_app, server_class=server_class, handler_class=_QuietHandler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="worker-metrics", daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def start(self) -> MetricsServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let a scrape in progress finish, and close the socket."""
        # shutdown() waits for serve_forever() to notice: on a server never started it would wait for ever.
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()


_server: MetricsServer | None = None


@signals.worker_ready.connect
def start_metrics_server(**kwargs: Any) -> None:
    """In the worker's main process, once its pool is up: serve `/metrics` when WORKER_METRICS_PORT is set."""
    global _server
    from django.conf import settings

    from common.metrics_process import multiprocess_dir

    port, host = settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_HOST
    if not port or _server is not None:
        return
    if not multiprocess_dir():
        logger.warning(
            "WORKER_METRICS_PORT without PROMETHEUS_MULTIPROC_DIR: only the main process is exported, "
            "not the jobs its prefork children run"
        )
    try:
        _server = MetricsServer(host=host, port=port).start()
    except OSError:
        # The jobs matter more than their metrics: the worker goes on, and says so loudly.
        logger.exception("worker metrics: could not listen on %s:%s", host, port)
        return
    logger.info("worker metrics on http://%s:%s/metrics", host, _server.port)


@signals.worker_shutdown.connect
def stop_metrics_server(**kwargs: Any) -> None:
    """After the pool has stopped: the last scrape has the finished jobs, then the port is let go."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None
        logger.info("worker metrics stopped")


@signals.worker_process_shutdown.connect
def forget_child(pid: int, **kwargs: Any) -> None:
    """A prefork child leaving: its jobs running leave the sums now, not at the next scrape's reap."""
    from common.metrics_process import process_exited

    process_exited(pid)
