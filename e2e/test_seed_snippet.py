"""The public seed snippet, run in a separate `manage.py shell`, reaches open pages."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from websockets.asyncio.client import connect

pytestmark = pytest.mark.e2e

SEED_SNIPPET = """\
from common.constants import WAITING
from submissions.helpers import send_message
from validation.helpers import construct_validation_message
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.status = WAITING
submission.save()
message = construct_validation_message(submission)
send_message(submission, message)
"""


async def test_seed_snippet_in_another_process_updates_the_open_page_within_a_second(site):
    cookie = site.login()
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), 5))
        await asyncio.to_thread(site.manage, "shell", stdin=SEED_SNIPPET)
        finished = time.monotonic()
        frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
        elapsed = time.monotonic() - finished

    assert snapshot["type"] == "snapshot"
    assert frame["type"] == "status"
    assert frame["seq"] == snapshot["seq"] + 1
    assert frame["status"] == 0
    assert frame["message"] == "Waiting"
    assert frame["submission"] == 1
    assert elapsed < 1.0, f"the page changed {elapsed:.2f}s after the shell finished"


async def test_a_page_opened_after_the_snippet_still_shows_it(site):
    await asyncio.to_thread(site.manage, "shell", stdin=SEED_SNIPPET)
    cookie = site.login()
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert snapshot["type"] == "snapshot"
    assert snapshot["status"] == 0
    assert snapshot["message"] == "Waiting"


async def test_foreign_origin_is_refused_before_accept(site):
    cookie = site.login()
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with connect(
            f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin="http://evil.example"
        ):
            pass
    assert refused.value.response.status_code == 403
