"""More jobs than workers, in both modes: the rest wait as Queued, move up live, and can be cancelled.

Each job is a submission to an archive that answers a batch only when the
test lets that submission's batch through, so which job runs and which waits
is decided by the test, not by timing. The embedded server runs the jobs on
its thread pool (THREAD_WORKERS of them); distributed mode on one Celery
worker with concurrency 1, behind PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from common.constants import ERROR, READY, SUBMITTED, WAITING
from e2e.cluster import running
from e2e.live_page import LivePage
from e2e.server import SiteProcess, post
from e2e.services import require_postgres_and_redis
from jobs.runner import THREAD_WORKERS

pytestmark = pytest.mark.e2e

STALE_SECONDS = 2.0
HOLD_SECONDS = 60
TOKEN = "queue-token"
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
    "Submission to the archive cancelled. Batches the archive already received are not sent again; "
    "Submit sends the rest."
)


class HeldArchive:
    """A BioSamples-style archive that answers a submission's batch once the test releases it."""

    def __init__(self) -> None:
        self.arrived: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.gates: dict[str, threading.Event] = defaultdict(threading.Event)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def release(self, job: str) -> None:
        self.gates[job].set()

    def next_arrival(self) -> str:
        return self.arrived.get(timeout=HOLD_SECONDS)

    def stop(self) -> None:
        for gate in list(self.gates.values()):
            gate.set()
        self.server.shutdown()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        archive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                job = body["samples"][0]["name"].split("-")[0]
                archive.seen.append(job)
                archive.arrived.put(job)
                archive.gates[job].wait(HOLD_SECONDS)
                self._answer(202, {"id": f"{job}-{len(archive.seen)}", "status": "pending"})

            def do_GET(self) -> None:
                self._answer(200, {"id": self.path.rsplit("/", 1)[-1], "status": "pending", "samples": []})

            def _answer(self, status: int, document: dict[str, Any]) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


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
    held = HeldArchive()
    yield held
    held.stop()


@contextlib.contextmanager
def embedded(tmp_path, archive):
    site = SiteProcess.create(
        tmp_path,
        {"ARCHIVE_URL": archive.url, "ARCHIVE_TOKEN": TOKEN, "JOB_STALE_SECONDS": str(STALE_SECONDS),
         "JOBS_BACKEND": "thread"},
    )  # fmt: skip
    site.start()
    try:
        yield site, site, THREAD_WORKERS
    finally:
        site.stop()


@contextlib.contextmanager
def distributed(tmp_path, archive):
    postgres, redis_url = require_postgres_and_redis()
    extra = {"ARCHIVE_URL": archive.url, "ARCHIVE_TOKEN": TOKEN, "JOB_STALE_SECONDS": str(STALE_SECONDS)}
    with running(tmp_path, postgres, redis_url, servers=1, workers=1, **extra) as cluster:
        yield cluster.site, cluster.servers[0], 1  # one worker process, concurrency 1


def page_text(server: SiteProcess, path: str, cookie: str) -> str:
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.read().decode()


async def until(condition, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


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

            # Cancel the first running job: it stops after the batch in flight, and the line moves up.
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
            await until(lambda: all(page.state["status"] == SUBMITTED for page in pages[1:-1]), timeout=60)
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
