"""Mint many signed-in users at once, each owning a submission.

Storm tests need thousands of sockets, and each user may hold 50 per
process, so they spread the sockets over many users.
"""

from __future__ import annotations

import json

from e2e.server import SiteProcess

SCRIPT = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from uid.models import Submission
out = []
for i in range({users}):
    user, _ = get_user_model().objects.get_or_create(username=f"{prefix}{{i}}")
    submission = Submission.objects.create(title=f"{prefix} {{i}}", owner=user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out.append((session.session_key, submission.pk))
print("SESSIONS=" + json.dumps(out))
"""


def make_sessions(site: SiteProcess, users: int, prefix: str = "storm") -> list[tuple[str, int]]:
    """(session key, pk of the user's own submission) for `users` new users."""
    output = site.manage("shell", stdin=SCRIPT.format(users=users, prefix=prefix))
    line = next(line for line in output.splitlines() if line.startswith("SESSIONS="))
    return [(key, pk) for key, pk in json.loads(line.removeprefix("SESSIONS="))]
