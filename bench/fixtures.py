"""Mint the users, submissions and signed-in sessions a benchmark connects with.

Sessions are written straight into the session table (what a login would
store), because logging in 10,000 times through the form would dominate the
run. Every socket gets a session of its own where it can: the hub checks
every open socket's session every few seconds, so a benchmark where all
sockets share a handful of sessions would hide that cost.

Run inside a system's environment: `python -m bench.fixtures OUT.json ...`.
The baseline app has no Submission model; its submissions are just numbers.
"""

from __future__ import annotations

import argparse
import json
import os

import django


def mint(*, users: int, sessions_per_user: int, staff: int, staff_sessions: int) -> dict[str, object]:
    from django.apps import apps
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    user_model = get_user_model()
    user_model.objects.filter(username__startswith="bench").delete()
    owners = user_model.objects.bulk_create(
        [user_model(username=f"bench{i}", password="!") for i in range(users)], batch_size=1000
    )
    admins = user_model.objects.bulk_create(
        [user_model(username=f"benchstaff{i}", password="!", is_staff=True) for i in range(staff)]
    )
    if apps.is_installed("uid"):
        from uid.models import Submission

        def create(titles: list[str], owner_for: list[object]) -> list[int]:
            made = Submission.objects.bulk_create(
                [Submission(title=t, owner=o) for t, o in zip(titles, owner_for, strict=True)], batch_size=1000
            )
            return [s.pk for s in made]

        submissions = create([f"bench {i}" for i in range(users)], owners)
        special = create(["bench fan-out", "bench cost", "bench pipeline"], [owners[0]] * 3)
        from submissions.actions import change_status

        # Each with its first status event, as the upload's job start gives every real submission.
        for submission in Submission.objects.filter(pk__in=submissions + special):
            change_status(submission=submission, status=submission.status, message="Created for the benchmark")
    else:
        submissions = list(range(1, users + 1))
        special = [users + 1, users + 2, users + 3]

    store = SessionStore()
    expiry = timezone.now() + timezone.timedelta(days=1)
    rows: list[Session] = []

    def sessions_for(user: object, count: int) -> list[str]:
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),  # type: ignore[attr-defined]
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),  # type: ignore[attr-defined]
            }
        )
        keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(count)]
        rows.extend(Session(session_key=key, session_data=data, expire_date=expiry) for key in keys)
        return keys

    owner_sessions = [sessions_for(user, sessions_per_user) for user in owners]
    staff_keys = [key for user in admins for key in sessions_for(user, staff_sessions)]
    Session.objects.bulk_create(rows, batch_size=2000)
    _cache_sessions(rows)
    return {
        "submissions": submissions,
        "owner_sessions": owner_sessions,
        "staff_sessions": staff_keys,
        "fanout_pk": special[0],
        "cost_pk": special[1],
        "pipeline_pk": special[2],
    }


def _cache_sessions(rows: list[object]) -> None:
    """With a cache-backed engine, the cache entries a login would have written too (`cached_db` writes both)."""
    from django.conf import settings

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.cached_db":
        return
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore
    from django.core.cache import caches

    store = SessionStore()
    cache = caches[settings.SESSION_CACHE_ALIAS]
    entries = {KEY_PREFIX + row.session_key: store.decode(row.session_data) for row in rows}  # type: ignore[attr-defined]
    age = store.get_expiry_age(expiry=rows[0].expire_date) if rows else 0  # type: ignore[attr-defined]
    items = list(entries.items())
    for start in range(0, len(items), 2000):
        cache.set_many(dict(items[start : start + 2000]), age)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--sessions-per-user", type=int, default=10)
    parser.add_argument("--staff", type=int, default=25)
    parser.add_argument("--staff-sessions", type=int, default=40)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    data = mint(
        users=options.users,
        sessions_per_user=options.sessions_per_user,
        staff=options.staff,
        staff_sessions=options.staff_sessions,
    )
    with open(options.out, "w") as handle:
        json.dump(data, handle)
    print("RESULT=" + json.dumps({"submissions": len(data["submissions"])}))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
