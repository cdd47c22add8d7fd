"""The worker's `/metrics` endpoint on a real socket: the web's access rule, started and stopped by the signals.

A real Celery worker with prefork children and a job is `e2e/test_worker_metrics.py`.
"""

from __future__ import annotations

import socket

import pytest

from common import metrics
from config import worker_metrics
from config.worker_metrics import MetricsServer
from e2e.server import scrape_metrics


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(monkeypatch):
    # This process's own registry: a directory another test left in the environment must not be read.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    running = MetricsServer(host="127.0.0.1", port=0).start()
    yield running
    running.stop()


def test_an_allowed_network_scrapes_this_process_metrics(server, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    metrics.watchdog_failed("orphaned", 3)

    status, text = scrape_metrics(server.port)

    assert status == 200
    assert "# TYPE submission_live_job_duration_seconds histogram" in text
    assert 'submission_live_watchdog_failures_total{reason="orphaned"}' in text
    # Counted where jobs wait, by the web's /metrics only: the worker would count it twice.
    assert "submission_live_jobs_queued" not in text


def test_anyone_else_needs_the_token_and_gets_the_webs_404(server, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    # 127.0.0.2 is this machine too, but not in the allowed network.
    elsewhere = scrape_metrics(server.port, "127.0.0.2")
    posing = scrape_metrics(server.port, "127.0.0.2", {"X-Forwarded-For": "127.0.0.1"})
    wrong = scrape_metrics(server.port, "127.0.0.2", {"Authorization": "Bearer scrape-secre"})
    right = scrape_metrics(server.port, "127.0.0.2", {"Authorization": "Bearer scrape-secret"})

    assert [elsewhere, posing, wrong] == [(404, "Not found\n")] * 3
    assert right[0] == 200
    assert "submission_live_events_recorded_total" in right[1]


def test_with_no_allowed_network_even_loopback_needs_the_token(server, settings):
    """Production's rule (no network allowed): the worker's port answers nobody without METRICS_TOKEN."""
    settings.METRICS_TOKEN = "scrape-secret"
    settings.METRICS_ALLOWED_NETWORKS = []

    assert scrape_metrics(server.port)[0] == 404
    assert scrape_metrics(server.port, headers={"Authorization": "Bearer scrape-secret"})[0] == 200


def test_worker_ready_starts_it_on_the_port_and_worker_shutdown_lets_the_port_go(settings):
    settings.WORKER_METRICS_PORT = free_port()
    settings.WORKER_METRICS_HOST = "127.0.0.1"

    worker_metrics.start_metrics_server(sender=None)
    try:
        assert scrape_metrics(settings.WORKER_METRICS_PORT)[0] == 200
    finally:
        worker_metrics.stop_metrics_server(sender=None)

    with pytest.raises(ConnectionRefusedError):
        scrape_metrics(settings.WORKER_METRICS_PORT)
    # Let go, not just closed: a restarted worker can listen on it again at once.
    MetricsServer(host="127.0.0.1", port=settings.WORKER_METRICS_PORT).stop()


def test_it_is_off_unless_a_port_is_set(settings):
    settings.WORKER_METRICS_PORT = 0

    worker_metrics.start_metrics_server(sender=None)

    assert worker_metrics._server is None


def test_a_taken_port_leaves_the_worker_running_and_says_so(settings, caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings.WORKER_METRICS_PORT = taken.getsockname()[1]

        worker_metrics.start_metrics_server(sender=None)

    assert worker_metrics._server is None
    assert "could not listen on 127.0.0.1" in caplog.text
