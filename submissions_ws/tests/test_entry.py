"""The socket entry: one scope copy with the session key, a lazy user and the route's arguments."""

from __future__ import annotations

from typing import Any

import pytest
from channels.auth import UserLazyObject
from channels.testing import WebsocketCommunicator
from django.urls import re_path

from submissions_ws.entry import SocketEntry

HEADERS = [
    (b"origin", b"http://testserver"),
    (b"host", b"testserver"),
    (b"cookie", b"theme=dark; sessionid=abcdefgh12345678"),
]


def recording_entry(seen: list[dict[str, Any]]) -> SocketEntry:
    async def recorder(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)
        await receive()
        await send({"type": "websocket.accept"})

    return SocketEntry([re_path(r"^ws/things/(?P<pk>[^/]*)/$", recorder)])


async def test_the_app_gets_the_session_of_the_cookie_a_lazy_user_and_the_route_kwargs():
    seen: list[dict[str, Any]] = []
    socket = WebsocketCommunicator(recording_entry(seen), "/ws/things/7/", headers=HEADERS)

    connected, _ = await socket.connect(timeout=3)

    assert connected
    (scope,) = seen
    assert scope["session"].session_key == "abcdefgh12345678"
    assert isinstance(scope["user"], UserLazyObject)
    assert scope["url_route"] == {"args": (), "kwargs": {"pk": "7"}}
    assert "cookies" not in scope  # nobody read them; Channels' stack kept a parsed copy per socket
    await socket.disconnect()


async def test_no_cookie_means_a_session_without_a_key():
    seen: list[dict[str, Any]] = []
    socket = WebsocketCommunicator(recording_entry(seen), "/ws/things/7/", headers=HEADERS[:2])

    await socket.connect(timeout=3)

    assert seen[0]["session"].session_key is None
    await socket.disconnect()


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/ws/other/", HEADERS), ("/ws/things/7/", [(b"origin", b"http://evil.example"), *HEADERS[1:]])],
)
async def test_an_unrouted_path_or_a_foreign_origin_is_refused_before_the_app(path, headers):
    seen: list[dict[str, Any]] = []
    socket = WebsocketCommunicator(recording_entry(seen), path, headers=headers)

    connected, _ = await socket.connect(timeout=3)

    assert not connected
    assert seen == []
