"""Opening a submission socket in-process, as a signed-in page does (shared by the socket tests)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application


@database_sync_to_async
def session_cookie(user) -> str:
    """The session id of a fresh sign-in of `user`."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def socket(pk: int, cookie: str | None) -> WebsocketCommunicator:
    """A same-origin socket on `/ws/submissions/<pk>/`, signed in when `cookie` is given."""
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/submissions/{pk}/", headers=headers)
