"""A socket held longer than the channel layer's group expiry still receives events."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from e2e.server import SiteProcess, post

pytestmark = pytest.mark.e2e


@pytest.fixture
def short_expiry_site(tmp_path):
    # The sweep is off, so only the channel layer can deliver: what is
    # tested is that the hub's group membership outlives the expiry.
    site = SiteProcess.create(tmp_path, {"CHANNEL_GROUP_EXPIRY": "2", "REALTIME_SWEEP_SECONDS": "1000"})
    site.start()
    yield site
    site.stop()


async def test_a_socket_older_than_the_group_expiry_still_gets_live_events(short_expiry_site):
    site = short_expiry_site
    cookie = site.login()
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        snapshot = json.loads(await socket.recv())
        await asyncio.sleep(5)  # well past the 2 s expiry
        assert await asyncio.to_thread(post, site.base_url, "/submissions/1/validate/", cookie) == 302
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert frame["type"] == "status"
    assert frame["seq"] == snapshot["seq"] + 1
    assert frame["notification_message"] == "Validating your records…"
