"""Answer `/healthz`, `/readyz` and `/metrics` before host validation and the HTTPS redirect.

Probes and scrapers call a server directly by its address (`http://10.0.0.11:8000/readyz`),
not by the site's name over TLS: Django would refuse the Host with a 400, and
production settings would redirect them to HTTPS. These three answer nothing
a page could abuse (`/metrics` keeps its own token or network rule), so they
are served first, ahead of every other middleware. Sits first in MIDDLEWARE.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse

from operations import health, metrics_view

ENDPOINTS: dict[str, Callable[[HttpRequest], Any]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": metrics_view.metrics,
}


class OperationsEndpointsMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return async_to_sync(view)(request) if iscoroutinefunction(view) else view(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return await self.get_response(request)
        return await view(request) if iscoroutinefunction(view) else await sync_to_async(view)(request)
