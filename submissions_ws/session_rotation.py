"""Sockets follow their sign-in when its session key rotates.

A socket remembers the session key it connected with, and the hub closes it
with 4401 once that key no longer signs anybody in. But Django gives a
session a new key while it stays signed in: `update_session_auth_hash`
after a password change (the page the password was changed from, and every
other tab of that browser, share the cookie), and `login` again as the same
person. Without help those tabs would say "signed out" to a person who is
not.

`SessionRotationMiddleware` notices, on every HTTP request, when the
request's session key changed while the same person stayed signed in, and
records old key → (new key, user id) in the cache (Redis in distributed
mode, so every server process sees it; the embedded server is one process)
for `ROTATION_SECONDS`. The hub's session check (`sessions.check_sessions`)
follows such a record, and only when the new key is itself live, signs in
the same user and holds the current password's auth hash; the socket then
carries on under the new key without a gap. Other sessions of the person
get no record: after a password change elsewhere they still close with 4401.

The alternative, a page that reconnects after 4401 with whatever cookie the
browser now holds, was rejected: 4401 would no longer mean "stop", and a
tab could quietly carry on as whoever signed in last in that browser.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

# Longer than any session-check period by far; a rotation is followed within one check.
ROTATION_SECONDS = 15 * 60
_PREFIX = "session-rotated:"


def record_rotation(*, old_key: str, new_key: str, user_id: str) -> None:
    cache.set(f"{_PREFIX}{old_key}", (new_key, user_id), ROTATION_SECONDS)


def successors(old_keys: set[str]) -> dict[str, tuple[str, str]]:
    """The recorded (new key, user id) of each rotated key among `old_keys`."""
    found = cache.get_many([f"{_PREFIX}{key}" for key in old_keys])
    return {name.removeprefix(_PREFIX): value for name, value in found.items()}


class SessionRotationMiddleware(MiddlewareMixin):
    """Record a session key that changed during a request while the same person stayed signed in."""

    def process_request(self, request: HttpRequest) -> None:
        session = request.session
        request.session_key_before = session.session_key  # type: ignore[attr-defined]
        # Loads the session, which the authentication middleware does for any view anyway.
        request.signed_in_before = session.get(SESSION_KEY) if session.session_key else None  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        signed_in_as = getattr(request, "signed_in_before", None)
        before = getattr(request, "session_key_before", None)
        after = request.session.session_key
        # `cycle_key` keeps the data and makes the new key at once; `flush`
        # (logout, another person signing in) leaves no key until saved.
        if signed_in_as is not None and after and after != before and request.session.get(SESSION_KEY) == signed_in_as:
            record_rotation(old_key=before, new_key=after, user_id=str(signed_in_as))
        return response
