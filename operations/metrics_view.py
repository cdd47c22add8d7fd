"""`/metrics` for Prometheus: every process's metrics, behind a token or an allowed network.

With `PROMETHEUS_MULTIPROC_DIR` set (several uvicorn workers, Celery on the
same host) the answer sums the files of every process there, whichever
worker answers. Jobs queued are read at scrape time from where they wait
(the thread pool's queue, or the Celery broker's list), because a queued job
belongs to no process.
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
_queued_registered = False


def allowed(request: HttpRequest) -> bool:
    """A request from an allowed network, or one carrying METRICS_TOKEN."""
    token = bearer_token(request.headers.get("Authorization"))
    if settings.METRICS_TOKEN and token and hmac.compare_digest(token, settings.METRICS_TOKEN):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        # 404, as for a page that does not exist: nothing says there is something to guess a token for.
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    registry = _registry()
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    global _queued_registered
    path = multiprocess_dir()
    if path:
        from prometheus_client import multiprocess

        # A killed process's sockets and jobs must not stay in the sums.
        reap_dead_processes(path)
        # A fresh registry per scrape, as prometheus_client's multiprocess guide says.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(QueuedJobs())
        return registry
    if not _queued_registered:
        REGISTRY.register(QueuedJobs())
        _queued_registered = True
    return REGISTRY


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
