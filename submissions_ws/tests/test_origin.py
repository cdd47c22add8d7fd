"""A socket is accepted only from a page of this site: scheme, host and port all count."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connects(user, submission, *, origin: str, host: str = "testserver") -> bool:
    headers = [(b"cookie", await session_cookie(user)), (b"host", host.encode()), (b"origin", origin.encode())]
    socket = WebsocketCommunicator(application, f"/ws/submissions/{submission.pk}/", headers=headers)
    connected, _ = await socket.connect(timeout=3)
    await socket.disconnect()
    return connected


async def test_the_sites_own_origin_connects(user, submission):
    assert await connects(user, submission, origin="http://testserver")
    assert await connects(user, submission, origin="http://localhost:8000", host="localhost:8000")


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://testserver:1234", "testserver"),  # another program on the same host
        ("http://localhost:1234", "localhost:8000"),
        ("https://testserver", "testserver"),  # another scheme
        ("http://evil.example", "evil.example"),  # a host the site does not serve, even if it matches
        ("null", "testserver"),
    ],
)
async def test_another_port_scheme_or_host_is_refused_before_accept(user, submission, origin, host):
    assert not await connects(user, submission, origin=origin, host=host)


async def test_a_configured_trusted_origin_connects(user, submission, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://submissions.example.org"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "submissions.example.org"]

    assert await connects(user, submission, origin="https://submissions.example.org", host="submissions.example.org")
