"""Which open sockets' sign-ins have ended.

A socket is authenticated once, at connect. Logging out, a password change
elsewhere, or a session expiring must still cut it off, so the hub asks this
module every few seconds, in one batch for all its sockets.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare


def ended_sessions(session_keys: set[str]) -> set[str]:
    """The keys among `session_keys` that no longer sign anybody in."""
    if not session_keys:
        return set()
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return _ended_via_store(session_keys)
    live = dict(
        Session.objects.filter(session_key__in=session_keys, expire_date__gt=timezone.now()).values_list(
            "session_key", "session_data"
        )
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    decoded = {key: store.decode(data) for key, data in live.items()}
    return (session_keys - live.keys()) | _stale_hashes(decoded)


def _ended_via_store(session_keys: set[str]) -> set[str]:
    engine = import_module(settings.SESSION_ENGINE)
    decoded = {}
    for key in session_keys:
        store = engine.SessionStore(session_key=key)
        if store.exists(key):
            decoded[key] = store.load()
    return (session_keys - decoded.keys()) | _stale_hashes(decoded)


def _stale_hashes(decoded: dict[str, dict]) -> set[str]:
    """Sessions whose password hash no longer matches: the password changed."""
    user_ids = {data.get(SESSION_KEY) for data in decoded.values()}
    users = {str(user.pk): user for user in get_user_model().objects.filter(pk__in=user_ids - {None}, is_active=True)}
    stale = set()
    for key, data in decoded.items():
        user = users.get(str(data.get(SESSION_KEY)))
        if user is None or not constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
            stale.add(key)
    return stale
