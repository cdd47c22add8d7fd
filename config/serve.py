"""Serve the site with the project's uvicorn options, from one place.

`make run`, the Procfile, the deploy units and the tests all start the
server through here, so a tuning decision is made once:
- websockets-sansio, measured fastest here, and httptools for HTTP, each with
  a guard uvicorn lacks (config/protocols.py): a header timeout
  (`HTTP_HEADER_TIMEOUT`, 10 s), and handshakes websockets cannot parse
  (a header line over 8 KiB) are answered and closed at once;
- no permessage-deflate: frames are small JSON, and compression cost CPU per
  frame and about 40 KB of zlib state per socket (bench/RESULTS.md);
- client frames over 64 KiB are refused by the protocol itself (the
  consumer refuses anything over 4 KiB with 1009);
- a bounded graceful drain: on SIGTERM /readyz says 503, sockets close with
  1012 spread over a few seconds (submissions_ws/drain.py), and uvicorn's own
  shutdown gets what is left of DRAIN_TIMEOUT_SECONDS;
- with several workers, a shared PROMETHEUS_MULTIPROC_DIR so /metrics sums
  every worker (common/metrics_process.py);
- keepalive pings (the WS_PING_INTERVAL, WS_PING_TIMEOUT settings, 20 and 20
  seconds by default): a client that answers nothing for their sum is
  dropped, and its page reconnects and resumes from the event log;
- X-Forwarded-For/-Proto believed only from `FORWARDED_ALLOW_IPS` (a
  setting; empty by default, so no client can pose as another address);
- every number above read from the settings (config/settings/base.py), so
  a bad value stops the server at startup naming its variable;
- the bound address in `HOST` before the settings load, so `ALLOWED_HOSTS`
  follows `--host` (common/hosts.py).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import uvicorn
from django.conf import settings
from uvicorn.supervisors import Multiprocess

from common.metrics_process import prepare_multiprocess_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="ASGI processes sharing the port")
    args = parser.parse_args(argv)
    # Set before the settings load, here and in uvicorn's worker processes (they inherit it).
    os.environ["HOST"] = args.host
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    trusted_proxies = settings.FORWARDED_ALLOW_IPS.strip()
    prepare_multiprocess_dir(workers=args.workers)
    options: dict[str, Any] = dict(
        host=args.host,
        port=args.port,
        workers=args.workers,
        http="config.protocols:HeaderTimeoutHttpToolsProtocol",
        ws="config.protocols:ClosingWebSocketsSansIOProtocol",
        # uvicorn would otherwise trust 127.0.0.1 (or its own FORWARDED_ALLOW_IPS) by default.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or [],
        ws_max_size=65536,
        ws_per_message_deflate=False,
        lifespan="on",
        timeout_graceful_shutdown=graceful_timeout(),
        ws_ping_interval=settings.WS_PING_INTERVAL,
        ws_ping_timeout=settings.WS_PING_TIMEOUT,
    )
    run("config.asgi:application", **options)


def run(app: str, **options: Any) -> None:
    """`uvicorn.run`, with a parent that lets go of the port on SIGTERM when there are several workers."""
    if options.get("workers", 1) > 1:
        config = uvicorn.Config(app, **options)
        DrainingMultiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.run(app, **options)


class DrainingMultiprocess(Multiprocess):
    """uvicorn's parent of several workers, which lets go of the listening socket on SIGTERM.

    Each worker stops listening when its drain notice ends (submissions_ws/drain.py),
    but the parent holds its own descriptor of the same socket until every worker has
    exited: the kernel kept completing connects into the backlog, where a page whose
    socket was just closed waited for seconds and then failed, instead of being
    refused at once and reconnecting to another server.
    """

    def handle_term(self) -> None:
        super().handle_term()
        for sock in self.sockets:
            sock.close()


def graceful_timeout() -> float:
    """What is left of DRAIN_TIMEOUT_SECONDS for uvicorn's shutdown after the drain's notice and spread."""
    spent = settings.DRAIN_NOTICE_SECONDS + settings.DRAIN_SPREAD_SECONDS
    return max(1.0, settings.DRAIN_TIMEOUT_SECONDS - spent)


if __name__ == "__main__":
    main()
