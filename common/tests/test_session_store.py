"""The project's session engine reads what Django's database engine wrote, and nothing expired or unknown."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from common.session_store import SessionStore


def test_a_session_written_by_django_s_own_engine_loads(db):
    written = DatabaseSessionStore()
    written["_auth_user_id"] = "7"
    written.save()

    assert SessionStore(session_key=written.session_key).load() == {"_auth_user_id": "7"}


def test_an_expired_or_unknown_session_loads_empty_and_forgets_its_key(db):
    written = SessionStore()
    written["_auth_user_id"] = "7"
    written.save()
    Session.objects.filter(session_key=written.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    for key in (written.session_key, "x" * 32):
        store = SessionStore(session_key=key)
        assert store.load() == {}
        assert store.session_key is None


def test_a_session_it_writes_is_an_ordinary_row(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()

    assert DatabaseSessionStore(session_key=store.session_key).load() == {"answer": 42}
