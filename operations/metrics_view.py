"""`/metrics` for Prometheus: every process's metrics, behind a token or an allowed network.

With `PROMETHEUS_MULTIPROC_DIR` set (several uvicorn workers, Celery on the
same host) the answer sums the files of every process there, whichever
worker answers. Jobs queued are read at scrape time from where they wait
(the thread pool's queue, or the Celery broker's list), because a queued job
belongs to no process.

The access rule (`client_allowed`) and the per-scrape registry
(`process_registry`) are also what the Celery worker's own endpoint serves
(`config/worker_metrics.py`), so both endpoints answer the same scraper alike.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from apitokens.services import bearer_token
from common.metrics import PREFIX
from common.metrics_process import multiprocess_dir, reap_dead_processes

logger = logging.getLogger(__name__)


def allowed(request: HttpRequest) -> bool:
    """A request from an allowed network, or one carrying METRICS_TOKEN."""
    return client_allowed(
        authorization=request.headers.get("Authorization"), address=request.META.get("REMOTE_ADDR", "")
    )


def client_allowed(*, authorization: str | None, address: str) -> bool:
    """The rule of every metrics endpoint: the METRICS_TOKEN bearer token, or a peer in METRICS_ALLOWED_NETWORKS.

    `address` is the socket's peer, never a header: a client cannot claim to be
    on an allowed network through `X-Forwarded-For`.
    """
    token = bearer_token(authorization)
    if settings.METRICS_TOKEN and token and hmac.compare_digest(token, settings.METRICS_TOKEN):
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        # 404, as for a page that does not exist: nothing says there is something to guess a token for.
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    registry = _registry()
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """The processes' metrics and the jobs queued, which only the site's own /metrics reports."""
    registry = CollectorRegistry()
    registry.register(process_registry())
    registry.register(QueuedJobs())
    return registry


def process_registry() -> CollectorRegistry:
    """What one scrape reads: every process of `PROMETHEUS_MULTIPROC_DIR` summed, or this process alone."""
    path = multiprocess_dir()
    if not path:
        return REGISTRY
    from prometheus_client import multiprocess

    # A killed process's sockets and jobs must not stay in the sums.
    reap_dead_processes(path)
    # A fresh registry per scrape, as prometheus_client's multiprocess guide says.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class QueuedJobs:
    """`submission_live_jobs_queued`: jobs accepted but not yet started, read where they wait."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(f"{PREFIX}_jobs_queued", "Jobs waiting for a free worker.")
        queued = _queued()
        if queued is not None:
            family.add_metric([], queued)
        yield family

    def describe(self) -> list[GaugeMetricFamily]:
        return []


def _queued() -> int | None:
    """Jobs in the Queued state, read from the database: the same figure in every mode and process."""
    from django.db import DatabaseError

    from submissions.selectors import queued_jobs

    try:
        return queued_jobs().count()
    except DatabaseError:
        logger.warning("could not count the queued jobs")
        return None
