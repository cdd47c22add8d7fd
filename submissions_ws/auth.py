"""Who is on a socket, loaded in the consumer's own database hop.

Channels' `AuthMiddleware` loads the session and the user in a database hop
of its own before the consumer runs, and the consumer then needs another for
its permission check and snapshot. Channels runs every such hop on one
thread, first come first served, so in a connect storm every socket's first
hop is queued before any socket's second: nobody got a snapshot until most
of the storm's database work was done (bench/analysis.md, "Connect storms").
Here the scope holds the same lazy `scope["user"]`, but loading it is left
to the consumer, which calls `resolve_user` inside the one hop that
also checks the permission and reads the snapshot, so connects complete in
the order they arrived. The scope gets its lazy user and an unloaded session
store from `submissions_ws.entry.SocketEntry`, in place of Channels' stack.

A scope whose user is already an object (tests that set
`communicator.scope["user"]`, or a stack with Channels' own middleware) is
used as it is.
"""

from __future__ import annotations

from typing import Any

from channels.auth import UserLazyObject, get_user
from django.utils.functional import empty

from submissions_ws.token_auth import scope_token, token_user


def _unresolved(user: Any) -> bool:
    return isinstance(user, UserLazyObject) and user._wrapped is empty


def surely_anonymous(scope: dict[str, Any]) -> bool:
    """Whether the socket is anonymous, judged without touching the database.

    Lets the consumer refuse a cookieless connect before joining any group.
    """
    user = scope.get("user")
    if user is None:
        return True
    if _unresolved(user) and scope_token(scope):
        return False
    if _unresolved(user):
        session = scope.get("session")
        return session is None or not session.session_key
    return not user.is_authenticated


def resolve_user(scope: dict[str, Any]) -> Any:
    """The scope's user, loading it from the session if nobody has yet. Synchronous: call it inside a hop."""
    user = scope.get("user")
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    if _unresolved(user):
        token = scope_token(scope)
        user._wrapped = token_user(token) if token else get_user.func(scope)
    return user._wrapped if isinstance(user, UserLazyObject) else user
