"""Which open sockets' sign-ins have ended.

A socket is authenticated once, at connect. Logging out, a password change
elsewhere, or a session expiring must still cut it off, so the hub asks this
module every few seconds, in one batch for all its sockets. A key that Django
rotated while its person stayed signed in (a password change from that
browser) is followed instead (`follow_rotations`, see session_rotation.py).

With thousands of idle sockets that check dominated the server's idle CPU
(bench/analysis.md §6): every round decoded every session (a signature
check and JSON) and built a `User` instance per user for its auth hash. Both
results only change when the stored data does, so they are memoised on the
exact session data and password hash: a round then costs one query for the
sessions, one for the users' password hashes, and dictionary lookups. The
memo is per socket, so it holds only what the check reads (the user id and
the auth hash) and a digest of the data it was decoded from, not the data
and the whole decoded session (~1 KB per idle socket, bench/analysis.md).
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from submissions_ws.session_rotation import successors

# Memo tables, bounded: cleared whole when they grow past this (a round refills them).
_MEMO_LIMIT = 100_000
_decoded: dict[str, tuple[bytes, dict]] = {}  # session key → (digest of its data, what the check reads of it)
_auth_hashes: dict[tuple[str, str], str] = {}  # (user pk, password hash) → session auth hash
# Engines whose session table is the record: `cached_db` writes through to it and deletes from both on
# logout, so one query for all sockets answers (instead of a cache round trip per socket).
TABLE_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "common.session_store",
}
# What the check reads of a session.
_READ = (SESSION_KEY, HASH_SESSION_KEY)
# A sign-in whose key rotated more often than this between two checks ends (4401).
_MAX_ROTATION_HOPS = 4


def ended_sessions(session_keys: set[str]) -> set[str]:
    """The keys among `session_keys` that no longer sign anybody in."""
    if not session_keys:
        return set()
    return session_keys - _signed_in(session_keys).keys()


def follow_rotations(session_keys: set[str]) -> dict[str, tuple[str, str]]:
    """For ended keys whose sign-in carries on under a new key: old key → (new key, user id).

    Only rotations recorded by `session_rotation.SessionRotationMiddleware`
    count, and only when the new key signs in the recorded user with the
    current password; a key rotated twice between two checks is followed to its end.
    """
    followed: dict[str, tuple[str, str]] = {}
    origin_of = {key: key for key in session_keys}
    for _ in range(_MAX_ROTATION_HOPS):
        found = successors(set(origin_of))
        if not found:
            break
        live = _signed_in({new_key for new_key, _ in found.values()})
        next_round = {}
        for old_key, (new_key, user_id) in found.items():
            if live.get(new_key) == user_id:
                followed[origin_of[old_key]] = (new_key, user_id)
            else:
                next_round[new_key] = origin_of[old_key]
        origin_of = next_round
    return followed


def _signed_in(session_keys: set[str]) -> dict[str, str]:
    """The keys among `session_keys` that still sign somebody in, with that user's id."""
    if settings.SESSION_ENGINE not in TABLE_ENGINES:
        decoded = _decoded_via_store(session_keys)
    else:
        decoded = _decoded_from_table(session_keys)
    stale = _stale_hashes(decoded)
    return {key: str(data.get(SESSION_KEY)) for key, data in decoded.items() if key not in stale}


def _decoded_from_table(session_keys: set[str]) -> dict[str, dict]:
    live = dict(
        Session.objects.filter(session_key__in=session_keys, expire_date__gt=timezone.now()).values_list(
            "session_key", "session_data"
        )
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    if len(_decoded) > _MEMO_LIMIT:
        _decoded.clear()
    decoded = {}
    for key, data in live.items():
        digest = hashlib.blake2b(data.encode(), digest_size=16).digest()
        memo = _decoded.get(key)
        if memo is None or memo[0] != digest:
            session = store.decode(data)
            memo = _decoded[key] = (digest, {name: session[name] for name in _READ if name in session})
        decoded[key] = memo[1]
    return decoded


def _decoded_via_store(session_keys: set[str]) -> dict[str, dict]:
    engine = import_module(settings.SESSION_ENGINE)
    decoded = {}
    for key in session_keys:
        store = engine.SessionStore(session_key=key)
        if store.exists(key):
            decoded[key] = store.load()
    return decoded


def _stale_hashes(decoded: dict[str, dict]) -> set[str]:
    """Sessions whose password hash no longer matches: the password changed."""
    user_ids = {data.get(SESSION_KEY) for data in decoded.values()}
    passwords = get_user_model().objects.filter(pk__in=user_ids - {None}, is_active=True).values_list("pk", "password")
    if len(_auth_hashes) > _MEMO_LIMIT:
        _auth_hashes.clear()
    hashes = {str(pk): _auth_hash(str(pk), password) for pk, password in passwords}
    stale = set()
    for key, data in decoded.items():
        expected = hashes.get(str(data.get(SESSION_KEY)))
        if expected is None or not constant_time_compare(data.get(HASH_SESSION_KEY, ""), expected):
            stale.add(key)
    return stale


def _auth_hash(pk: str, password: str) -> str:
    """`user.get_session_auth_hash()`, without building a User, memoised per password hash."""
    memo = _auth_hashes.get((pk, password))
    if memo is None:
        user = get_user_model()(pk=pk, password=password)
        memo = _auth_hashes[pk, password] = user.get_session_auth_hash()
    return memo
