from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from config import serve


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve, "run", lambda app, **options: seen.update(app=app, **options))
    return seen


def test_the_launcher_serves_the_project_with_its_tuned_options(started):
    serve.main(["--port", "8123", "--workers", "3"])

    assert started["app"] == "config.asgi:application"
    assert (started["port"], started["workers"]) == (8123, 3)
    assert started["ws"] == "config.protocols:ClosingWebSocketsSansIOProtocol"
    assert started["http"] == "config.protocols:HeaderTimeoutHttpToolsProtocol"
    assert started["ws_per_message_deflate"] is False
    assert started["ws_max_size"] == 65536
    assert (started["ws_ping_interval"], started["ws_ping_timeout"]) == (20.0, 20.0)


def test_keepalive_and_the_shutdown_bound_come_from_the_settings(started, settings):
    """WS_PING_* and DRAIN_* are read from the environment by the settings (config/tests/test_settings.py)."""
    settings.WS_PING_INTERVAL, settings.WS_PING_TIMEOUT = 5.0, 7.5
    settings.DRAIN_NOTICE_SECONDS, settings.DRAIN_SPREAD_SECONDS, settings.DRAIN_TIMEOUT_SECONDS = 2.0, 3.0, 30.0

    serve.main([])

    assert (started["ws_ping_interval"], started["ws_ping_timeout"]) == (5.0, 7.5)
    assert started["timeout_graceful_shutdown"] == 25.0


def test_forwarded_headers_are_trusted_from_nobody_unless_a_proxy_is_configured(started, settings):
    settings.FORWARDED_ALLOW_IPS = ""
    serve.main([])
    assert (started["proxy_headers"], started["forwarded_allow_ips"]) == (False, [])

    settings.FORWARDED_ALLOW_IPS = "10.0.0.5"
    serve.main([])
    assert (started["proxy_headers"], started["forwarded_allow_ips"]) == (True, "10.0.0.5")


def test_the_parent_of_several_workers_lets_go_of_the_port_on_sigterm():
    """Its workers stop listening at the end of their notice; the parent's own descriptor must not keep the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    # Built without __init__, which would replace this process's signal handlers.
    supervisor = serve.DrainingMultiprocess.__new__(serve.DrainingMultiprocess)
    supervisor.sockets, supervisor.should_exit = [listener], threading.Event()

    supervisor.handle_term()

    assert supervisor.should_exit.is_set()
    assert listener.fileno() == -1
