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

The session's user is read by `session_user`, which does what Channels'
`get_user` does (the backend named in the session, an active user, the
session's auth hash checked, the session flushed on a mismatch), but reads
the row of Django's own `ModelBackend` in plain SQL (`common.plain_sql`): compiling
`User.objects.get(pk=…)` for every connect was most of the 0.3 ms that
backend spent, more than running the query (bench/analysis.md, "Connect
cost", profile "(a) storm of 2000"). The auth hash is the user's own
`get_session_auth_hash()`, as Channels checks it.
"""

from __future__ import annotations

from typing import Any

from channels.auth import UserLazyObject
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import UserManager
from django.db import router
from django.db.models import Manager
from django.utils.crypto import constant_time_compare
from django.utils.functional import empty

from common.plain_sql import fetch_row
from submissions_ws.token_auth import scope_token, token_user

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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
        user._wrapped = token_user(token) if token else session_user(scope["session"])
    return user._wrapped if isinstance(user, UserLazyObject) else user


def session_user(session: Any) -> Any:
    """The user a session signs in, or an anonymous one: Channels' `get_user`, for one session. Synchronous."""
    from django.contrib.auth.models import AnonymousUser

    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    user = (
        _model_backend_user(user_id) if backend_path == _MODEL_BACKEND else load_backend(backend_path).get_user(user_id)
    )
    if user is None:
        return AnonymousUser()
    if hasattr(user, "get_session_auth_hash"):
        session_hash = session.get(HASH_SESSION_KEY)
        if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
            session.flush()
            return AnonymousUser()
    return user


def _model_backend_user(user_id: Any) -> Any:
    """`ModelBackend().get_user(user_id)` (the row, if it may sign in), read in plain SQL.

    Only for a user model read the stock way: a manager of its own (which may
    filter) or a parent table (multi-table inheritance) goes through the ORM.
    """
    model = get_user_model()
    if type(model._default_manager) not in (Manager, UserManager) or model._meta.parents:
        return ModelBackend().get_user(user_id)
    fields = model._meta.concrete_fields
    using = router.db_for_read(model)
    values = fetch_row(model, fields, [(model._meta.pk, "=", user_id)], using=using)
    if values is None:
        return None
    user = model.from_db(using, [field.attname for field in fields], values)
    return user if ModelBackend().user_can_authenticate(user) else None
