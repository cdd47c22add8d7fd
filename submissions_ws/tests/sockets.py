"""Opening a submission socket in-process, as a signed-in page does, and reading frames as a browser does.

Shared by the socket tests. `FramesServer` stands in for config/protocols.py's
frames extension, so a test can see what a socket writes through it.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from config.asgi import application
from submissions_ws.socket_base import FRAMES_EXTENSION


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


def parse_server_frames(data: bytes) -> list[str]:
    """Text frames as a browser reads them, by websockets' own parser (a client, so unmasked frames)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    texts = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            frame = done.value
        assert frame.opcode is Opcode.TEXT
        assert frame.fin
        texts.append(frame.data.decode())
    return texts


class FramesServer:
    """What config.protocols gives a socket: the frames extension, its `write` recording what went out."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.writable = True

    def write(self, frames: bytes) -> bool:
        if not self.writable:
            return False
        self.written.append(frames)
        return True

    def attach(self, communicator) -> None:
        communicator.scope["extensions"] = {FRAMES_EXTENSION: {"write": self.write}}


async def receive_frames(communicator) -> list[str]:
    """The next ASGI message the socket sent, as texts: a joined write of encoded frames, or one text."""
    message = await communicator.receive_output(timeout=3)
    if message["type"] == FRAMES_EXTENSION:
        return parse_server_frames(message["frames"])
    assert message["type"] == "websocket.send", message
    return [message["text"]]
