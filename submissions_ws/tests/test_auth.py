"""The user is loaded in the consumer's one database hop, and only there, as Channels' `get_user` would load it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from common.session_store import SessionStore
from submissions_ws import close_codes, selectors
from submissions_ws.auth import resolve_user, session_user, surely_anonymous
from submissions_ws.hub import get_hub
from submissions_ws.tests.sockets import session_cookie, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_consumers_hop_is_the_first_to_load_the_user(user, submission, monkeypatch):
    seen = []
    real = selectors.resolve_user

    def recording(scope):
        seen.append(scope["user"]._wrapped.__class__.__name__)  # `object`: not loaded yet
        return real(scope)

    monkeypatch.setattr(selectors, "resolve_user", recording)
    communicator = socket(submission.pk, await session_cookie(user))
    connected, _ = await communicator.connect()

    assert connected
    assert (await communicator.receive_json_from(timeout=3))["type"] == "snapshot"
    assert seen == ["object"]
    await communicator.disconnect()


async def test_a_socket_without_a_session_is_refused_before_joining_any_group(submission):
    hub = await get_hub()
    communicator = socket(submission.pk, cookie=None)
    connected, _ = await communicator.connect()

    assert connected  # accepted only to say why
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    assert submission.pk not in hub.submissions.served()


async def test_a_refused_signed_in_socket_leaves_the_group_it_joined(other_user, submission):
    hub = await get_hub()
    communicator = socket(submission.pk, await session_cookie(other_user))
    await communicator.connect()

    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    assert submission.pk not in hub.submissions.served()


def test_a_user_object_already_in_the_scope_is_used_as_it_is(user):
    scope = {"user": user}
    assert not surely_anonymous(scope)
    assert resolve_user(scope) is user


def test_no_user_at_all_is_anonymous():
    assert surely_anonymous({})
    assert isinstance(resolve_user({}), AnonymousUser)


def _session_of(user: Any) -> SessionStore:
    """The stored session of a fresh sign-in of `user`."""
    client = Client()
    client.force_login(user)
    return SessionStore(session_key=client.cookies["sessionid"].value)


def test_a_session_gives_the_same_user_the_orm_reads(user):
    # On SQLite, whose booleans and datetimes need Django's converters; PostgreSQL's read is
    # the one every e2e connect (test_distributed, test_faults) signs in with.
    user.last_login = timezone.now()
    user.save()
    loaded = session_user(_session_of(user))

    expected = get_user_model().objects.get(pk=user.pk)
    assert loaded.is_authenticated
    assert {f.attname: getattr(loaded, f.attname) for f in expected._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in expected._meta.concrete_fields
    }
    assert loaded.is_active is True
    assert loaded._state.adding is False  # saved as an update, never as a second row


def test_an_inactive_user_is_anonymous(user):
    session = _session_of(user)
    user.is_active = False
    user.save()

    assert isinstance(session_user(session), AnonymousUser)


def test_a_changed_password_ends_the_session(user):
    session = _session_of(user)
    key = session.session_key
    user.set_password("a-new-password")
    user.save()

    assert isinstance(session_user(session), AnonymousUser)
    assert not Session.objects.filter(session_key=key).exists()


def test_a_deleted_user_is_anonymous(user):
    session = _session_of(user)
    user.delete()

    assert isinstance(session_user(session), AnonymousUser)


def test_a_backend_no_longer_configured_signs_nobody_in(user, settings):
    session = _session_of(user)
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]

    assert isinstance(session_user(session), AnonymousUser)


class _OnlyStaffBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and user.is_staff


def test_another_configured_backend_is_asked_for_its_user(user, staff_user, settings):
    path = f"{__name__}._OnlyStaffBackend"
    settings.AUTHENTICATION_BACKENDS = [path]
    sessions = []
    for person in (user, staff_user):
        session = _session_of(person)
        session[BACKEND_SESSION_KEY] = path
        session.save()
        sessions.append(session)

    assert isinstance(session_user(sessions[0]), AnonymousUser)
    assert session_user(sessions[1]) == staff_user


def test_the_stock_user_model_is_read_without_the_orms_backend(user, monkeypatch):
    def compiled(*args: Any) -> None:
        raise AssertionError("ModelBackend.get_user compiled a query")

    monkeypatch.setattr(ModelBackend, "get_user", compiled)

    assert session_user(_session_of(user)) == user


def test_a_new_secret_key_ends_the_session(user, settings):
    session = _session_of(user)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    assert isinstance(session_user(session), AnonymousUser)
