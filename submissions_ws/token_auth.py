"""Personal API tokens on the socket: `Authorization: Bearer <token>` for non-browser clients.

Browsers cannot set headers on a WebSocket, so pages keep the session
cookie; the terminal watcher and scripts send a token instead. A socket that
carries the header is judged by the token alone: a wrong one is anonymous
(4403), even if a session cookie came along.
"""

from __future__ import annotations

from typing import Any

from apitokens.services import bearer_token, user_for_token


def scope_token(scope: dict[str, Any]) -> str | None:
    """The bearer token of the handshake, or None."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return bearer_token(value)
    return None


def token_user(token: str) -> Any:
    """The token's user, or an anonymous one. Synchronous: call it inside a hop."""
    from django.contrib.auth.models import AnonymousUser

    return user_for_token(token) or AnonymousUser()
