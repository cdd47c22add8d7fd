"""The bare-server floor: the project's own server options around a trivial ASGI app.

Served by `python -m bench.floor`, which is `config.serve` with its options
untouched (the protocol classes, no permessage-deflate, frame limit, pings,
lifespan) and the app swapped for `application` below: accept, send one text
frame, then wait. Whatever a socket of the project holds above what a socket
of this app holds is the project's own (issue 17, goal 2).
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import uvicorn

from config import serve

APP = "bench.floor:application"
FRAME = '{"type":"snapshot","seq":0}'


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Lifespan: say yes. HTTP: 200 (the readiness poll). WebSocket: accept, one frame, wait for the close."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"floor"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": FRAME})
    while (await receive())["type"] != "websocket.disconnect":
        pass


def main() -> None:
    real_run = uvicorn.run

    def run(app: str, **options: Any) -> None:
        real_run(APP, **options)

    with mock.patch.object(uvicorn, "run", run):
        serve.main()


if __name__ == "__main__":
    main()
