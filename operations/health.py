"""`/healthz` (the process answers) and `/readyz` (it can do its work).

A load balancer or orchestrator restarts a server whose `/healthz` fails and
sends traffic only to servers whose `/readyz` passes. `/readyz` checks what
a page needs: the database answers, the channel layer accepts a publish,
and no migration is pending. While the process drains after SIGTERM it
answers 503 at once, whatever the checks would say.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from submissions_ws import drain

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
_migrated = False


class NotReady(Exception):
    """A check's own reason, shown in the answer."""


def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: nothing is checked but that the process serves requests."""
    return JsonResponse({"status": "ok"})


@never_cache
async def readyz(request: HttpRequest) -> JsonResponse:
    if drain.draining():
        return JsonResponse({"status": "draining", "checks": {}}, status=503)
    checks = {
        "database": await _timed(sync_to_async(_database_ok, thread_sensitive=False)()),
        "migrations": await _timed(sync_to_async(_migrations_ok, thread_sensitive=False)()),
        "channel_layer": await _timed(_channel_layer_ok()),
    }
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


async def _timed(check) -> str:
    try:
        await asyncio.wait_for(check, CHECK_SECONDS)
    except TimeoutError:
        return "timeout"
    except Exception as error:  # noqa: BLE001 - any failure means not ready; say which
        logger.warning("readiness check failed: %s", error)
        # Our own reasons are safe to show; others are named by class only (no hosts or credentials).
        return f"failed: {error}" if isinstance(error, NotReady) else f"failed: {error.__class__.__name__}"
    return "ok"


def _database_ok() -> None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connections.close_all()


def _migrations_ok() -> None:
    """No migration pending. Once true it stays true for this process: migrations only move forward."""
    global _migrated
    if _migrated:
        return
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    finally:
        connections.close_all()
    if pending:
        raise NotReady(f"{len(pending)} migrations pending")
    _migrated = True


async def _channel_layer_ok() -> None:
    """A publish to a group nobody joined: Redis must take it (the in-memory layer always does)."""
    layer = get_channel_layer()
    if layer is None:
        raise NotReady("no channel layer configured")
    await layer.group_send("readyz", {"type": "readyz.probe"})
