"""Ending a sign-in closes its sockets; origins are checked before accept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from config.asgi import application
from submissions_ws import close_codes
from submissions_ws.sessions import ended_sessions

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def open_socket(client: Client, pk: int, origin: str = "http://testserver") -> WebsocketCommunicator:
    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]
    if origin:
        headers.append((b"origin", origin.encode()))
    headers.append((b"host", b"testserver"))
    return WebsocketCommunicator(application, f"/ws/submissions/{pk}/", headers=headers)


async def test_a_signed_in_page_connects_with_its_session_cookie(user, submission):
    socket = await open_socket(await signed_in_client(user), submission.pk)
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from(timeout=3))["type"] == "snapshot"
    await socket.disconnect()


@pytest.mark.parametrize("origin", ["http://evil.example", ""])
async def test_a_wrong_or_missing_origin_is_refused_before_accept_even_with_a_session(user, submission, origin):
    socket = await open_socket(await signed_in_client(user), submission.pk, origin=origin)
    connected, _ = await socket.connect()
    assert not connected


async def end_with(user, submission, ending) -> dict:
    client = await signed_in_client(user)
    socket = await open_socket(client, submission.pk)
    await socket.connect()
    await socket.receive_json_from(timeout=3)

    await database_sync_to_async(ending)(client, user)

    return await socket.receive_output(timeout=5)


async def test_logout_closes_the_users_sockets(user, submission):
    output = await end_with(user, submission, lambda client, user: client.post("/accounts/logout/"))
    assert output == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


async def test_a_password_change_closes_the_users_other_sockets(user, submission):
    def change_password(client, user):
        user.set_password("a-new-password-entirely")
        user.save()

    output = await end_with(user, submission, change_password)
    assert output == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


async def test_an_expired_session_stops_receiving(user, submission):
    def expire(client, user):
        Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )

    output = await end_with(user, submission, expire)
    assert output == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


def test_ended_sessions_reports_missing_expired_and_stale_keys(user, other_user):
    live, gone, stale = Client(), Client(), Client()
    for client in (live, gone, stale):
        client.force_login(user if client is not stale else other_user)
    keys = {client.cookies["sessionid"].value for client in (live, gone, stale)}
    gone.logout()
    other_user.set_password("changed-password-123")
    other_user.save()

    assert ended_sessions(keys) == keys - {live.cookies["sessionid"].value}


def test_repeated_rounds_decode_each_session_once_and_still_see_a_password_change(user, monkeypatch):
    """The hub asks every few seconds; unchanged sessions are not decoded again, changed passwords still end them."""
    from django.contrib.sessions.backends.db import SessionStore

    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    decodes = []
    real_decode = SessionStore.decode
    monkeypatch.setattr(SessionStore, "decode", lambda self, data: decodes.append(data) or real_decode(self, data))

    assert ended_sessions({key}) == set()
    assert ended_sessions({key}) == set()
    assert len(decodes) <= 1

    user.set_password("another-new-password-42")
    user.save()
    assert ended_sessions({key}) == {key}


def test_a_session_whose_data_changed_under_the_same_key_is_decoded_again(user):
    """The memo is per key; new data (here: signed out without a new key) is not judged by the old."""
    from django.contrib.sessions.backends.db import SessionStore

    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert ended_sessions({key}) == set()

    Session.objects.filter(session_key=key).update(session_data=SessionStore().encode({"theme": "dark"}))

    assert ended_sessions({key}) == {key}


def log_out(client, user):
    client.post("/accounts/logout/")


def change_password(client, user):
    user.set_password("a-new-password-entirely")
    user.save()


@pytest.mark.parametrize("ending", [log_out, change_password])
async def test_with_sessions_read_from_the_cache_ending_a_sign_in_still_closes_its_sockets(
    user, submission, settings, ending
):
    """Distributed mode reads sessions through the cache (`cached_db`); the table still says who signed out."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    output = await end_with(user, submission, ending)

    assert output == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}
