"""Submitting to a remote archive through the real site process, as the submitter's page sees it.

The embedded server sends the batches from its job thread and polls the
archive from its lifespan; the archive is the loopback one, over real HTTP.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from archive.loopback import LoopbackArchive
from common.constants import COMPLETED, READY, SUBMITTED, WAITING
from e2e.server import SiteProcess, post

pytestmark = pytest.mark.e2e

TOKEN = "e2e-archive-token"
MAKE_READY = f"""\
from uid.models import Submission
Submission.objects.filter(pk=1).update(status={READY})
"""
ACCESSIONS = """\
from uid.models import Animal, Sample
print(Animal.objects.filter(accession="").count() + Sample.objects.filter(accession="").count())
print(Animal.objects.count() + Sample.objects.count())
"""


@pytest.fixture
def archive():
    with LoopbackArchive(token=TOKEN, hold=True) as server:
        yield server


@pytest.fixture
def site(tmp_path, archive):
    site = SiteProcess.create(
        tmp_path,
        {"ARCHIVE_URL": archive.url, "ARCHIVE_TOKEN": TOKEN, "ARCHIVE_POLL_SECONDS": "0.2", "JOBS_BACKEND": "thread"},
    )
    site.manage("shell", stdin=MAKE_READY)
    site.start()
    yield site
    site.stop()


async def next_status(socket, wanted: int, timeout: float = 15) -> dict:
    """The next status frame, skipping progress frames; fails on any other status first."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "status":
                assert frame["status"] == wanted, frame
                return frame


async def test_the_page_sees_submitted_while_the_archive_validates_then_completed(site, archive):
    cookie = site.login()
    async with connect(
        f"{site.ws_url}/ws/submissions/1/", additional_headers={"Cookie": cookie}, origin=site.base_url
    ) as socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert snapshot["status"] == READY

        assert await asyncio.to_thread(post, site.base_url, "/submissions/1/submit/", cookie) == 302
        await next_status(socket, WAITING)
        submitted = await next_status(socket, SUBMITTED)
        assert submitted["notification_message"].endswith("records. Waiting for archive validation.")

        # The archive holds every batch pending; the server's poller asks and waits.
        async with asyncio.timeout(10):
            while not any(method == "GET" for method, _ in archive.requests):
                await asyncio.sleep(0.05)
        archive.release()
        completed = await next_status(socket, COMPLETED)

    without, total = (int(line) for line in site.manage("shell", stdin=ACCESSIONS).split()[-2:])
    assert completed["notification_message"] == f"Completed: the archive assigned accessions to {total} records."
    assert without == 0
    assert len(archive.posted_samples()) == total
