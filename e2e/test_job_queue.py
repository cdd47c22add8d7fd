"""More jobs than workers, in both modes: the rest wait as Queued, move up live, and can be cancelled.

Each job is a submission to the BioSamples double (archive.loopback), which
holds the job's first sample until the test lets that submission through,
so which job runs and which waits is decided by the test, not by timing. The embedded server runs the jobs on
its thread pool (THREAD_WORKERS of them); distributed mode on one Celery
worker with concurrency 1, behind PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import pytest

from archive.loopback import BioSamplesDouble
from common.constants import COMPLETED, ERROR, READY, WAITING
from e2e import waiting
from e2e.cluster import running
from e2e.live_page import LivePage
from e2e.server import SiteProcess, post
from e2e.services import require_postgres_and_redis
from jobs.runner import THREAD_WORKERS

pytestmark = pytest.mark.e2e

STALE_SECONDS = 2.0
HOLD_SECONDS = 60
USERNAME, PASSWORD = "Webin-queue", "queue-password"
SETUP = """
from django.contrib.auth import get_user_model
from common.constants import READY
from uid.example_data import write_example_csv
from uid.importer import import_records
from uid.models import Submission
owner = get_user_model().objects.get(username="demo")
for n in range({count}):
    submission = Submission.objects.create(title=f"herd J{{n}}", owner=owner)
    path = f"{workdir}/J{{n}}.csv"
    write_example_csv(path, animals=3, samples_per_animal=1, prefix=f"J{{n}}-")
    import_records(submission=submission, file=path)
    Submission.objects.filter(pk=submission.pk).update(status=READY)
    print("PK=%d" % submission.pk)
"""
CANCELLED = (
    "Submission to the archive cancelled. Records the archive already accepted keep their accessions; "
    "Submit sends the rest."
)


class HeldArchive:
    """The BioSamples double, holding each job's first sample until the test lets that job through.

    Job "J3" is the submission whose records are named "J3-…".
    """

    def __init__(self, jobs: int) -> None:
        self.double = BioSamplesDouble(username=USERNAME, password=PASSWORD).start()
        self.double.hold_names(*(f"J{n}-" for n in range(jobs)))

    @property
    def settings(self) -> dict[str, str]:
        return {
            "BIOSAMPLES_URL": self.double.biosamples_url,
            "WEBIN_AUTH_URL": self.double.webin_url,
            "WEBIN_USERNAME": USERNAME,
            "WEBIN_PASSWORD": PASSWORD,
            # A held job waits for its answer as long as the test holds it.
            "BIOSAMPLES_TIMEOUT_SECONDS": str(HOLD_SECONDS),
        }

    def release(self, job: str) -> None:
        self.double.let_through(f"{job}-")

    def next_arrival(self) -> str:
        """The job whose sample is held next: it is running and waits for BioSamples."""
        return self.double.held.get(timeout=HOLD_SECONDS).removesuffix("-")

    @property
    def seen(self) -> set[str]:
        """Jobs that sent BioSamples anything."""
        return {name.split("-")[0] for name in self.double.posted_names()}

    def stop(self) -> None:
        self.double.stop()


@dataclass
class RecordingPage(LivePage):
    """A page that keeps every progress frame, to see the queue move."""

    seen_progress: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, frame: dict[str, Any]) -> bool:
        if frame["type"] == "progress" and frame["seq"] >= self.last_seq:
            self.seen_progress.append(frame["progress"])
        return super().apply(frame)

    @property
    def queued_aheads(self) -> list[int]:
        return [p["ahead"] for p in self.seen_progress if p.get("queued")]


@pytest.fixture
def archive():
    held = HeldArchive(jobs=THREAD_WORKERS + 2)
    yield held
    held.stop()


@contextlib.contextmanager
def embedded(tmp_path, archive):
    site = SiteProcess.create(
        tmp_path,
        {**archive.settings, "JOB_STALE_SECONDS": str(STALE_SECONDS), "JOBS_BACKEND": "thread"},
    )
    site.start()
    try:
        yield site, site, THREAD_WORKERS
    finally:
        site.stop()


@contextlib.contextmanager
def distributed(tmp_path, archive):
    postgres, redis_url = require_postgres_and_redis()
    extra = {**archive.settings, "JOB_STALE_SECONDS": str(STALE_SECONDS)}
    with running(tmp_path, postgres, redis_url, servers=1, workers=1, **extra) as cluster:
        yield cluster.site, cluster.servers[0], 1  # one worker process, concurrency 1


def page_text(server: SiteProcess, path: str, cookie: str) -> str:
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.read().decode()


# The pages' state changes with every frame: poll it often, for 30 s unless a step says otherwise.
until = functools.partial(waiting.until, timeout=30, every=0.05)


@pytest.mark.parametrize(
    "mode",
    [pytest.param(embedded, id="embedded"), pytest.param(distributed, id="distributed", marks=pytest.mark.services)],
)
async def test_jobs_beyond_the_workers_wait_queued_move_up_live_and_can_be_cancelled(mode, tmp_path, archive):
    with mode(tmp_path, archive) as (site, server, workers):
        count = workers + 2
        output = await asyncio.to_thread(site.manage, "shell", stdin=SETUP.format(count=count, workdir=tmp_path))
        pks = [int(line.removeprefix("PK=")) for line in output.splitlines() if line.startswith("PK=")]
        cookie = server.login()
        pages = [
            RecordingPage(url=f"{server.ws_url}/ws/submissions/{pk}/", cookie=cookie, origin=server.base_url)
            for pk in pks
        ]
        stop = asyncio.Event()
        readers = [asyncio.ensure_future(page.run(stop)) for page in pages]
        try:
            await until(lambda: all(page.live for page in pages))
            for pk in pks:
                assert await asyncio.to_thread(post, server.base_url, f"/submissions/{pk}/submit/", cookie) == 302
            running_jobs = {await asyncio.to_thread(archive.next_arrival) for _ in range(workers)}
            assert running_jobs == {f"J{n}" for n in range(workers)}
            first_queued, last_queued = pages[workers], pages[workers + 1]
            text = await asyncio.to_thread(page_text, server, f"/submissions/{pks[-1]}/", cookie)
            assert "Queued (1 ahead of you)" in text

            # Longer than the watchdog's limit, while the running jobs beat: waiting is not dying.
            waited_until = time.monotonic() + STALE_SECONDS * 2 + 1
            await until(lambda: time.monotonic() > waited_until)
            assert [page.state["status"] for page in pages] == [WAITING] * count
            assert last_queued.queued_aheads[-1] == 1

            # Cancel the first running job: it stops after the sample in flight, and the line moves up.
            assert await asyncio.to_thread(post, server.base_url, f"/submissions/{pks[0]}/cancel/", cookie) == 302
            await until(lambda: pages[0].state.get("notification_message", "").startswith("Cancelling"))
            archive.release("J0")
            assert await asyncio.to_thread(archive.next_arrival) == f"J{workers}"
            await until(lambda: pages[0].state["status"] == READY)
            assert pages[0].state["notification_message"] == CANCELLED
            await until(lambda: last_queued.queued_aheads[-1:] == [0])

            # Cancel the last one while it waits: it is Ready again at once and never starts.
            assert await asyncio.to_thread(post, server.base_url, f"/submissions/{pks[-1]}/cancel/", cookie) == 302
            await until(lambda: last_queued.state["status"] == READY)
            assert last_queued.state["notification_message"] == CANCELLED

            for n in range(1, count):
                archive.release(f"J{n}")
            await until(lambda: all(page.state["status"] == COMPLETED for page in pages[1:-1]), timeout=60)
        finally:
            stop.set()
            await asyncio.gather(*readers)

    assert f"J{count - 1}" not in archive.seen
    assert all(page.progress.get("submission") for page in pages[: workers + 1])
    assert not any(status == ERROR for page in pages for _, status, _ in page.events)
    assert first_queued.queued_aheads  # it waited its turn,
    assert not first_queued.seen_progress[-1].get("queued")  # then ran
    assert last_queued.queued_aheads[-2:] == [1, 0]
    assert not any(not p.get("queued") for p in last_queued.seen_progress)  # never ran
