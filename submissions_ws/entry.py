"""The WebSocket side of the site in one step: origin, session, route, consumer.

It stands in for Channels' stack (an origin validator, then `CookieMiddleware`,
`SessionMiddleware`, `AuthMiddleware`, `URLRouter` and `as_asgi`), which
copied the scope once per layer and kept every copy, every layer's coroutine
and a session wrapper alive for as long as the socket stayed open: about
6 KB of the ~16 KB each idle socket held above the bare server
(bench/analysis.md, "Idle memory"). Here the scope is copied once, with:

- `session`: a session store for the cookie's key, not yet loaded (the
  consumer's database hop loads it, see submissions_ws/auth.py);
- `user`: Channels' lazy placeholder, which `auth.resolve_user` fills;
- `url_route`: the route's arguments, as `URLRouter` puts them.

Nothing else from Channels' stack was used by these sockets: sessions are
never saved on a WebSocket (Channels only saves on `http.response.start`),
and `scope["cookies"]` was read by nobody. The consumer is instantiated here
rather than through its `as_asgi()` wrapper, whose frame would hold the scope
copy for the socket's life; the consumer drops its handshake state once
accepted (`LiveSocket.forget_handshake`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.auth import UserLazyObject
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.cookie import parse_cookie
from django.urls import URLPattern

from submissions_ws.origin import origin_allowed


def session_key(scope: dict[str, Any]) -> str | None:
    """The session cookie of the handshake, read as Channels' `CookieMiddleware` reads cookies."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    return None


class SocketEntry:
    """Refuse a foreign Origin (HTTP 403), then hand the socket to the first route that matches its path."""

    def __init__(self, routes: list[URLPattern]) -> None:
        self.routes = routes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        root_path = scope.get("root_path", "")
        path = scope["path"]
        if root_path and not path.startswith(root_path):
            return await WebsocketDenier()(scope, receive, send)
        path = path[len(root_path) :].lstrip("/")
        for route in self.routes:
            match = route.pattern.match(path)
            if match:
                _rest, args, kwargs = match
                break
        else:
            return await WebsocketDenier()(scope, receive, send)
        store = import_module(settings.SESSION_ENGINE).SessionStore
        app = route.callback
        consumer_class = getattr(app, "consumer_class", None)
        if consumer_class is not None:
            app = consumer_class(**app.consumer_initkwargs)
        return await app(
            dict(
                scope,
                session=store(session_key(scope)),
                user=UserLazyObject(),
                url_route={"args": args, "kwargs": {**kwargs, **route.default_args}},
            ),
            receive,
            send,
        )
