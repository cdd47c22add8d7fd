"""Accept a socket only from a page of this site: the full origin, not just the host name.

Channels' `AllowedHostsOriginValidator` compares only the Origin's host name
with `ALLOWED_HOSTS`, so `http://localhost:1234` (any other program on the
machine, or another site on the same host) passed it. Browsers send
cookies to every port of a host, so that is cross-site WebSocket hijacking
with the person's session. Here the rule is Django's CSRF origin check: the
Origin must be the handshake's own origin (scheme, host and port, as the page
that opened it was served) on a host in `ALLOWED_HOSTS`, or one of
`CSRF_TRUSTED_ORIGINS` (behind a TLS proxy that uvicorn is not told about,
production settings list `https://<host>` there).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the handshake in `scope` comes from a page of this site."""
    headers = dict(scope.get("headers", ()))
    origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if not origin or not host:
        return False
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in {"wss", "https"} else "http"
    return origin == f"{scheme}://{host}" or origin in {o.lower() for o in settings.CSRF_TRUSTED_ORIGINS}
