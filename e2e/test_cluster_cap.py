"""The per-user cap of 50 sockets holds across two real ASGI processes sharing Redis, not per process."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from e2e.cluster import running
from e2e.services import require_postgres_and_redis
from submissions_ws.socket_base import MAX_SOCKETS_PER_USER

pytestmark = [pytest.mark.e2e, pytest.mark.services]

PER_SERVER = 30


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    postgres, redis_url = require_postgres_and_redis()
    with running(tmp_path_factory.mktemp("cap"), postgres, redis_url, servers=2, workers=0) as cluster:
        yield cluster


async def open_one(server, cookie: str):
    """An open socket after its snapshot, or the close code it was refused with."""
    socket = await connect(
        f"{server.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=server.base_url
    )
    try:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    assert frame["type"] == "snapshot"
    return socket


async def test_fifty_sockets_in_all_and_the_rest_get_4430_on_either_server(cluster):
    first, second = cluster.servers
    cookie = first.login()
    held = []
    try:
        results = [await open_one(first, cookie) for _ in range(PER_SERVER)]
        results += [await open_one(second, cookie) for _ in range(PER_SERVER)]
        held = [r for r in results if not isinstance(r, int | None)]
        refused = [r for r in results if isinstance(r, int | None)]

        assert len(held) == MAX_SOCKETS_PER_USER
        assert refused == [4430] * (2 * PER_SERVER - MAX_SOCKETS_PER_USER)

        # Closing sockets on one server frees slots on the other.
        for socket in held[:5]:
            await socket.close()
        held = held[5:]
        await asyncio.sleep(0.5)
        again = [await open_one(second, cookie) for _ in range(6)]
        held += [r for r in again if not isinstance(r, int | None)]
        assert [r for r in again if isinstance(r, int | None)] == [4430]
    finally:
        for socket in held:
            await socket.close()
