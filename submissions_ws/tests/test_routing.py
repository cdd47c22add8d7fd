"""Socket paths that no consumer serves are refused at the handshake, without an error."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application


@pytest.mark.parametrize("path", ["/ws/nothing/", "/ws/submissions/1", "/ws/", "/ws/notifications"])
async def test_an_unmatched_socket_path_is_refused_before_accept(path, caplog):
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://testserver")])

    connected, _ = await socket.connect(timeout=3)

    assert not connected
    assert not [record for record in caplog.records if record.levelname in {"ERROR", "CRITICAL"}]
