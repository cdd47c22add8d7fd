"""Non-browser clients sign the socket in with `Authorization: Bearer <token>`."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apitokens.services import create_token
from config.asgi import application
from submissions_ws import close_codes

pytestmark = pytest.mark.django_db(transaction=True)


def socket(path: str, token: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    return WebsocketCommunicator(application, path, headers=headers)


async def test_a_token_opens_the_owners_submission_socket(user, submission):
    _token, raw = await database_sync_to_async(create_token)(user=user, name="watcher")
    communicator = socket(f"/ws/submissions/{submission.pk}/", raw)

    connected, _ = await communicator.connect()

    assert connected
    frame = await communicator.receive_json_from(timeout=3)
    assert frame["type"] == "snapshot"
    assert frame["submission"] == submission.pk
    await communicator.disconnect()


async def test_a_token_of_someone_else_gets_4403(other_user, submission):
    _token, raw = await database_sync_to_async(create_token)(user=other_user, name="x")
    communicator = socket(f"/ws/submissions/{submission.pk}/", raw)

    await communicator.connect()

    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}


async def test_a_wrong_token_gets_4403_on_both_sockets(submission):
    for path in (f"/ws/submissions/{submission.pk}/", "/ws/notifications/"):
        communicator = socket(path, "sl_not-a-real-token")
        await communicator.connect()
        assert await communicator.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": close_codes.FORBIDDEN,
        }
