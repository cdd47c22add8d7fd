"""A password change keeps the sockets of the browser it was made in; every other sign-in of the person ends."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client

from config.asgi import application
from submissions.helpers import send_message
from submissions_ws import close_codes
from submissions_ws.session_rotation import record_rotation
from submissions_ws.sessions import follow_rotations

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "brand-new-pass-42"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@database_sync_to_async
def signed_in(username: str, password: str) -> Client:
    """A browser signed in through the real login form."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


async def open_socket(client: Client, path: str) -> WebsocketCommunicator:
    headers = [
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
    ]
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


@database_sync_to_async
def change_password(client: Client) -> None:
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "alice-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302


async def test_the_browser_that_changed_the_password_keeps_its_sockets_and_other_browsers_are_signed_out(
    user, submission
):
    here = await signed_in("alice", "alice-password")
    elsewhere = await signed_in("alice", "alice-password")
    old_key = here.cookies["sessionid"].value
    page = await open_socket(here, f"/ws/submissions/{submission.pk}/")
    toasts = await open_socket(here, "/ws/notifications/")
    other_page = await open_socket(elsewhere, f"/ws/submissions/{submission.pk}/")
    assert (await page.receive_json_from(timeout=3))["type"] == "snapshot"
    assert (await other_page.receive_json_from(timeout=3))["type"] == "snapshot"

    await change_password(here)
    assert here.cookies["sessionid"].value != old_key

    # The other browser's sign-in ended: its socket closes once the hub's check has run...
    assert await other_page.receive_output(timeout=5) == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}
    # ...and the same check kept this browser's sockets: they still receive events.
    await database_sync_to_async(send_message)(submission, None)
    assert (await page.receive_json_from(timeout=3))["type"] == "status"
    assert (await toasts.receive_json_from(timeout=3))["type"] == "notification"

    # They follow the new key: signing out of it closes them.
    await database_sync_to_async(here.post)("/accounts/logout/")
    assert await page.receive_output(timeout=5) == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}
    assert await toasts.receive_output(timeout=5) == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


async def test_a_recorded_rotation_is_not_followed_to_another_persons_session(user, other_user, submission):
    """A rotation record pointing at a session of somebody else (or a forged one) ends the socket."""
    mine = await signed_in("alice", "alice-password")
    theirs = await signed_in("mallory", "mallory-password")
    page = await open_socket(mine, f"/ws/submissions/{submission.pk}/")
    await page.receive_json_from(timeout=3)
    old_key = mine.cookies["sessionid"].value
    record_rotation(old_key=old_key, new_key=theirs.cookies["sessionid"].value, user_id=str(user.pk))

    await database_sync_to_async(mine.logout)()

    assert await page.receive_output(timeout=5) == {"type": "websocket.close", "code": close_codes.SESSION_ENDED}


def test_rotations_are_followed_through_several_keys_but_not_to_an_ended_one(user):
    browser = Client()
    browser.force_login(user)
    first = browser.session.session_key
    for _ in range(2):
        response = browser.post(
            "/accounts/password_change/",
            {
                "old_password": "alice-password" if _ == 0 else NEW_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
    latest = browser.cookies["sessionid"].value

    assert follow_rotations({first}) == {first: (latest, str(user.pk))}

    browser.logout()
    assert follow_rotations({first}) == {}
