"""A client worker: thousands of WebSocket clients on one asyncio loop.

Clients live in processes of their own (see `bench.pool`) so that the
server's CPU time is the server's alone. A worker takes commands over a pipe
and keeps its sockets open between commands, so one scenario can connect,
another can send, and the receipts are read afterwards.

Senders put `@@<time.time()>@@` into the notification text; the receipt time
minus that stamp is the end-to-end latency (one machine, one clock). The
stamp also joins a receipt to the sender's record of when its call returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

MARK = "@@"
# (url, cookie header, origin)
Target = tuple[str, str, str]


class Worker:
    """The sockets of one worker process and what they received."""

    def __init__(self) -> None:
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.reset()

    def reset(self) -> dict[str, Any]:
        self.frames = 0
        self.receipts: list[tuple[float, float]] = []  # (send stamp, receipt time)
        self.first = 0.0
        self.last = 0.0
        self.progress: list[float] = []
        self.closed: Counter[str] = Counter()
        return {}

    async def connect(self, targets: list[Target], start_at: float, deadline: float, deflate: bool) -> dict[str, Any]:
        """Open every target at `start_at` at once; each must hold its first frame by `deadline`."""

        async def one(url: str, cookie: str, origin: str) -> tuple[Any, ...]:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            socket: ClientConnection | None = None
            try:
                async with asyncio.timeout(max(0.01, deadline - time.time())):
                    socket = await connect(
                        url,
                        additional_headers={"Cookie": cookie},
                        origin=origin,  # type: ignore[arg-type]
                        open_timeout=None,
                        ping_interval=None,
                        close_timeout=2,
                        compression="deflate" if deflate else None,
                        max_queue=None,
                    )
                    opened = time.time()
                    first = await socket.recv()
                    got = time.time()
            except TimeoutError:
                reason = "timeout"
            except InvalidStatus as error:
                reason = f"http {error.response.status_code}"
            except ConnectionClosed as error:
                reason = f"closed {error.rcvd.code if error.rcvd else 'abnormally'}"
            except (OSError, InvalidHandshake) as error:
                reason = f"{type(error).__name__}"
            else:
                if "snapshot" not in str(first)[:40]:
                    reason = "no snapshot"
                else:
                    self.sockets.append(socket)
                    self.readers.append(asyncio.get_running_loop().create_task(self._read(socket)))
                    return ("ok", opened - start_at, got - start_at)
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()
            return (reason,)

        results = await asyncio.gather(*(one(*target) for target in targets))
        ok = [r for r in results if r[0] == "ok"]
        return {
            "accepted": len(ok),
            "failed": Counter(r[0] for r in results if r[0] != "ok"),
            "retry": [target for target, r in zip(targets, results, strict=True) if r[0] != "ok"],
            "opened": [r[1] for r in ok],
            "snapshot": [r[2] for r in ok],
        }

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for text in socket:
                now = time.time()
                if not self.frames:
                    self.first = now
                self.frames += 1
                self.last = now
                start = text.find(MARK)  # type: ignore[arg-type]
                if start >= 0:
                    end = text.find(MARK, start + 2)  # type: ignore[arg-type]
                    self.receipts.append((float(text[start + 2 : end]), now))
                elif "progress" in text[:30]:
                    self.progress.append(now)
        except ConnectionClosed as error:
            self.closed[str(error.rcvd.code if error.rcvd else "abnormal")] += 1

    def stats(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "receipts": self.receipts,
            "first": self.first,
            "last": self.last,
            "progress": self.progress,
            "closed": self.closed,
            "open": sum(1 for s in self.sockets if s.state.name == "OPEN"),
        }

    async def close(self) -> dict[str, Any]:
        sockets, readers = self.sockets, self.readers
        self.sockets, self.readers = [], []

        async def close_one(socket: ClientConnection) -> None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(), 5)

        await asyncio.gather(*(close_one(s) for s in sockets))
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        return {"closed": len(sockets)}


async def _serve(conn: Connection) -> None:
    worker = Worker()
    loop = asyncio.get_running_loop()
    while True:
        command, args = await loop.run_in_executor(None, conn.recv)
        if command == "quit":
            await worker.close()
            conn.send({})
            return
        if command == "connect":
            result = await worker.connect(**args)
        elif command == "count":
            result = {"frames": worker.frames, "open": sum(1 for s in worker.sockets if s.state.name == "OPEN")}
        elif command == "stats":
            result = worker.stats()
        elif command == "reset":
            result = worker.reset()
        elif command == "close":
            result = await worker.close()
        else:
            result = {"error": f"unknown command {command}"}
        conn.send(result)


def worker_main(conn: Connection) -> None:
    """Entry point of a client worker process."""
    asyncio.run(_serve(conn))
