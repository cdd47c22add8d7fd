"""uvicorn's HTTP and WebSocket protocols with the two guards they lack.

`config.serve` names these classes (by import path, so `--workers` child
processes load them too):

- **A header timeout.** uvicorn only times out idle keep-alive connections.
  A client that opens a connection and sends half a request line, or
  headers a byte a minute, holds it (and its file descriptor) for as long
  as it likes. `HeaderTimeoutHttpToolsProtocol` closes any connection whose
  request headers are not complete within `HTTP_HEADER_TIMEOUT` seconds of
  its first byte (or of the connection, for the first request). That covers
  WebSocket handshakes too: they are HTTP requests until their headers end.
- **Handshakes that websockets cannot parse.** websockets-sansio refuses a
  handshake line over 8 KiB, more than 128 headers or a request with a body,
  and writes its refusal (414, 431, or just an end of stream) into its
  output buffer; uvicorn 0.54 only sends that buffer when the parse produced
  an event, so the client got nothing and the connection stayed open.
  `ClosingWebSocketsSansIOProtocol` sends the refusal and closes at once.
  (wsproto closes such connections itself, but it is pure Python on every
  frame and the benchmarks were measured with websockets-sansio: fixing the
  one gap keeps the measured implementation.)

  Its protocol logs "connection open", "connection rejected (403 …)" and
  "connection closed" at INFO for every socket, beside uvicorn's access
  line; those go to `uvicorn.error.websockets` at WARNING, so a refused
  handshake costs one log line (the access line), not two.

It also speaks one ASGI extension of the project's,
`submission_live.websocket.frames` (`submissions_ws.socket_base`): a socket
may hand it WebSocket frames already encoded (`text_frame`), one event's
bytes shared by every socket it goes to, either with the ASGI message of
that type (`{"type": FRAMES_EXTENSION, "frames": b"..."}`, which waits for
the transport like `websocket.send`) or synchronously through the
extension's `write`, which writes only when the transport can take it and
says whether it did. uvicorn's own path builds a `Frame` and serialises it
in pure Python for every socket and every frame: about half of the
server's CPU in a fan-out (bench/RESULTS.md, profile (a) fanout). A server
frame is never masked, so its bytes are the same for every socket.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from submissions_ws.socket_base import FRAMES_EXTENSION

logger = logging.getLogger(__name__)
_websockets_logger = logging.getLogger("uvicorn.error.websockets")
_websockets_logger.setLevel(logging.WARNING)


def header_timeout_seconds() -> float:
    """The `HTTP_HEADER_TIMEOUT` setting; uvicorn's worker processes load the settings the parent named."""
    return settings.HTTP_HEADER_TIMEOUT


class HeaderTimeoutHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose headers do not arrive in time."""

    header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The next request on a kept-alive connection gets its own deadline.
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        if self.header_timer is None:
            self.header_timer = self.loop.call_later(header_timeout_seconds(), self._headers_timed_out)

    def _cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_timed_out(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            logger.info("closed a connection whose request headers did not arrive in time")
            self.transport.close()


class ClosingWebSocketsSansIOProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol: refuses unparsable handshakes at once, takes prepared frames."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn.logger = _websockets_logger

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.handshake_initiated or self.conn.handshake_exc is None or self.transport.is_closing():
            return
        # websockets wrote its refusal (a 414 or 431 response, or only an end
        # of stream) into its buffer; uvicorn would never send it.
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.transport.close()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # A handshake websockets refused (400, 426) was answered and closed without a scope or an app.
        if self.response.status_code == 101:
            # The app's task is created but has not run yet: it sees the extension.
            self.scope["extensions"][FRAMES_EXTENSION] = {"write": self.write_frames}

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        # The scope holds `write_frames`, bound to this protocol: a cycle that only a full
        # collection (rare here, config/gc_tuning.py) would free. Break it when the socket goes.
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"].pop(FRAMES_EXTENSION, None)

    def is_open(self) -> bool:
        """Whether data frames may go out at all: accepted, open both ways, nothing refused or closing."""
        return (
            self.handshake_complete
            and self.initial_response is None
            and not self.close_sent
            and not self.disconnected
            and self.conn.state is State.OPEN
            and not self.transport.is_closing()
        )

    def can_take_frames(self) -> bool:
        """Whether data frames may go out now: open, and the transport not paused."""
        return self.writable.is_set() and self.is_open()

    def write_frames(self, frames: bytes) -> bool:
        """Write encoded frames now if the socket can take them; False (nothing written) if it cannot."""
        if not self.can_take_frames():
            return False
        self.transport.write(frames)
        return True

    async def send(self, message: Any) -> None:
        if message["type"] != FRAMES_EXTENSION:
            return await super().send(message)
        # As `websocket.send`: wait while the transport is paused (again, if it paused
        # again before this task ran), and a socket that is gone or closing raises
        # ClientDisconnected. `connection_lost` sets `writable`, so this wait ends.
        while not self.writable.is_set():
            await self.writable.wait()
        if not self.is_open():
            raise ClientDisconnected()
        self.transport.write(message["frames"])
